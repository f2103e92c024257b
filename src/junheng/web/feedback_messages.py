"""Catalogue entries of the public feedback pages, merged into
:data:`junheng.web.i18n.MESSAGES`."""

from __future__ import annotations

FEEDBACK_MESSAGES: dict[str, tuple[str, str]] = {
    # key: (中文, English)
    "nav.feedback": ("意见反馈", "Feedback"),
    "nav.feedback_inbox": ("意见办理", "Feedback inbox"),
    "feedback.title": ("义务教育意见反馈", "Feedback on compulsory education"),
    "feedback.intro": (
        "对学校或县区的义务教育服务有意见或投诉，无需注册即可提交。提交后会得到"
        "查询码，凭查询码查看办理进度和答复。",
        "Send feedback or a complaint about a school or a county's education "
        "services without an account. You get a tracking number to follow the "
        "progress and read the answer.",
    ),
    "feedback.privacy": (
        "联系方式只提供给负责办理的教育行政部门，不会公开。",
        "Your contact is given only to the education authority handling the item "
        "and is never published.",
    ),
    "feedback.province": ("省份", "Province"),
    "feedback.county": ("县（市、区）", "County"),
    "feedback.choose": ("选择", "Choose"),
    "feedback.change_place": ("更换地区", "Change the place"),
    "feedback.place": ("地区：{name}（{code}）", "Place: {name} ({code})"),
    "feedback.school": ("学校（可不选）", "School (optional)"),
    "feedback.no_school": ("不涉及具体学校", "No particular school"),
    "feedback.category": ("类别", "Category"),
    "feedback.text": ("内容", "Your feedback"),
    "feedback.text_hint": (
        "最多 {limit} 字。请勿填写身份证号等敏感信息。",
        "At most {limit} characters. Leave out ID numbers and other sensitive data.",
    ),
    "feedback.contact": ("联系方式（可不填）", "Contact (optional)"),
    "feedback.contact_hint": (
        "手机号、电话或电子邮箱，便于办理部门联系您。",
        "Phone number or e-mail address, so the authority can reach you.",
    ),
    "feedback.honeypot": ("请勿填写此项", "Leave this field empty"),
    "feedback.submit": ("提交", "Send"),
    "feedback.not_sent": (
        "意见未提交，请修改以下内容：",
        "The feedback was not sent. Please correct:",
    ),
    "feedback.error.category": ("请选择类别。", "Choose a category."),
    "feedback.error.division_code": (
        "请从列表中选择县（市、区）。",
        "Choose the county from the list.",
    ),
    "feedback.error.school_code": (
        "请从列表中选择本县的学校，或不选。",
        "Choose a school of the county from the list, or none.",
    ),
    "feedback.error.text_empty": ("请填写内容。", "Describe the matter."),
    "feedback.error.text_long": (
        "内容超过 {limit} 字，请精简。",
        "The text is longer than {limit} characters; shorten it.",
    ),
    "feedback.error.contact": (
        "联系方式应为电话号码或电子邮箱，也可不填。",
        "Enter a phone number or an e-mail address, or leave it empty.",
    ),
    "feedback.rate_limited": (
        "提交或查询过于频繁，请稍后再试。",
        "Too many requests from your network address; try again later.",
    ),
    "feedback.honeypot_filled": (
        "提交未被接受。",
        "The submission was not accepted.",
    ),
    "feedback.track_title": ("查询办理进度", "Track your feedback"),
    "feedback.tracking_code": ("查询码", "Tracking number"),
    "feedback.track": ("查询", "Track"),
    "feedback.created": (
        "已收到您的意见。请记下查询码：",
        "Your feedback was received. Keep this tracking number:",
    ),
    "feedback.not_found": (
        "没有该查询码对应的意见，请核对查询码。",
        "No feedback has this tracking number; check the number.",
    ),
    "feedback.status": ("状态", "Status"),
    "feedback.status.received": ("已受理", "received"),
    "feedback.status.assigned": ("办理中", "being handled"),
    "feedback.status.answered": ("已答复", "answered"),
    "feedback.status.closed": ("已办结", "closed"),
    "feedback.responsible": ("办理单位", "Handled by"),
    "feedback.received_on": ("提交日期", "Received"),
    "feedback.due_on": ("办理期限", "Due"),
    "feedback.overdue": ("已逾期", "overdue"),
    "feedback.escalations": ("升级次数", "Escalations"),
    "feedback.answer": ("答复", "Answer"),
    "feedback.no_answer": ("尚未答复。", "No answer yet."),
    "feedback.steps": ("办理过程", "Steps"),
    "feedback.beijing_time": ("（北京时间）", "Beijing time"),
    "feedback.step.received": ("受理，转 {to}", "received, sent to {to}"),
    "feedback.step.assigned": ("分派承办人", "assigned to a staff member"),
    "feedback.step.escalated": (
        "逾期未答复，由 {from_code} 升级至 {to}",
        "overdue, escalated from {from_code} to {to}",
    ),
    "feedback.step.answered": ("答复", "answered"),
    "feedback.step.closed": ("办结", "closed"),
    "feedback.step.rated": ("提交人评价", "rated by the sender"),
    "feedback.rating": ("评价", "Rating"),
    "feedback.rate_prompt": (
        "对答复满意吗？请评分（1 = 很不满意，5 = 很满意），只能评价一次。",
        "How good is the answer? Rate it from 1 (very poor) to 5 (very good); you "
        "can rate once.",
    ),
    "feedback.rate": ("提交评价", "Rate"),
    "feedback.rated": ("感谢您的评价。", "Thank you for your rating."),
    "feedback.inbox_title": ("公众意见办理", "Public feedback inbox"),
    "feedback.mine_only": ("只看本单位负责的", "Only those my body handles"),
    "feedback.all_region": ("本地区全部", "All of my region"),
    "feedback.none": ("没有意见。", "No feedback."),
    "feedback.item": ("意见 {id}", "Feedback {id}"),
    "feedback.division": ("地区", "Division"),
    "feedback.staff_text": ("意见内容", "Feedback text"),
    "feedback.staff_contact": ("提交人联系方式", "Sender's contact"),
    "feedback.assignee": ("承办人", "Assigned to"),
    "feedback.assign": ("分派", "Assign"),
    "feedback.assignee_name": ("承办人用户名", "User name of the colleague"),
    "feedback.answer_text": ("答复内容（将公开显示）", "Answer (shown publicly)"),
    "feedback.send_answer": ("答复", "Send the answer"),
    "feedback.close": ("办结", "Close"),
    "feedback.contact_hidden": (
        "有联系方式（仅办理单位可见）",
        "a contact was given (visible to the handling bodies only)",
    ),
    "feedback.no_contact": ("未留联系方式", "no contact given"),
    "feedback.stats_title": ("意见办理情况", "Feedback accountability"),
    "feedback.stats_intro": (
        "按下级地区统计当年收到的意见：按期答复指在首个办理期限内答复；逾期指"
        "超过首个期限才答复或仍未答复。按按期答复率排序。",
        "Feedback received in the year, per child division. On time means "
        "answered by the first deadline; overdue means answered later or still "
        "unanswered past it. Ranked by the on-time share.",
    ),
    "feedback.stats_chart": ("各地区意见办理情况", "Feedback handled per division"),
    "feedback.col.rank": ("排名", "Rank"),
    "feedback.col.division_code": ("代码", "Code"),
    "feedback.col.division_name": ("地区", "Division"),
    "feedback.col.received": ("收到", "Received"),
    "feedback.col.answered": ("已答复", "Answered"),
    "feedback.col.answered_on_time": ("按期答复", "Answered on time"),
    "feedback.col.overdue": ("逾期", "Overdue"),
    "feedback.col.open_not_due": ("办理中未到期", "Open, not yet due"),
    "feedback.col.rated": ("评价数", "Ratings"),
    "feedback.col.mean_rating": ("平均评分", "Mean rating"),
    "feedback.col.on_time_share": ("按期答复率（%）", "On-time share (%)"),
    "feedback.download": ("下载", "Download"),
}
