"""Catalogue entries of the survey pages.

:mod:`junheng.web.i18n` merges them into its ``MESSAGES``.
"""

from __future__ import annotations

SURVEY_MESSAGES: dict[str, tuple[str, str]] = {
    # key: (中文, English)
    "nav.surveys": ("满意度调查", "Surveys"),
    "survey.list_title": ("社会认可度调查", "Satisfaction surveys"),
    "survey.intro": (
        "按常住人口的 1.5‰ 抽样，向家长、人大代表、政协委员、其他群众、校长、教师和学生"
        "发放一次性答题链接；满意度达到 85% 以上为达标。",
        "A sample of 1.5‰ of the resident population answers through one-time "
        "links: parents, people's congress deputies, CPPCC members, other "
        "residents, principals, teachers and students. At least 85% satisfied "
        "passes.",
    ),
    "survey.open_title": ("新开一轮调查", "Open a survey round"),
    "survey.county": ("县级行政区划代码", "County division code"),
    "survey.population": ("常住人口", "Resident population"),
    "survey.stratum_population": ("{name}人口", "{name} population"),
    "survey.open_button": ("开启调查", "Open the round"),
    "survey.none": ("尚无调查轮次。", "No survey rounds yet."),
    "survey.round_title": (
        "{county} {year} 年度满意度调查（第 {id} 轮）",
        "{county} satisfaction survey {year} (round {id})",
    ),
    "survey.status.open": ("进行中", "open"),
    "survey.status.closed": ("已结束", "closed"),
    "survey.design": ("抽样设计与进度", "Sample design and progress"),
    "survey.design_note": (
        "样本量 = ⌈常住人口 × 1.5‰⌉ = {total}；家长不少于一半，其余群体平均分配，"
        "城乡按人口比例（最大余数法）分配，学生各年级段大致相等。",
        "Sample = ⌈population × 1.5‰⌉ = {total}; parents at least half, the other "
        "groups equal, strata in proportion to population (largest remainder), "
        "student grade bands about equal.",
    ),
    "survey.group": ("群体", "Group"),
    "survey.stratum": ("城乡", "Stratum"),
    "survey.band": ("年级段", "Grades"),
    "survey.target": ("设计样本", "Target"),
    "survey.issued": ("已发链接", "Links issued"),
    "survey.answered": ("已回收", "Answered"),
    "survey.results": ("调查结果", "Results"),
    "survey.rate": ("满意率（%）", "Satisfaction (%)"),
    "survey.satisfied": ("满意回答", "Satisfied answers"),
    "survey.valid": ("有效回答", "Valid answers"),
    "survey.respondents": ("答卷数", "Respondents"),
    "survey.item": ("题目", "Item"),
    "survey.overall": (
        "总体满意率 {rate}%（{satisfied}/{valid}），标准 {threshold}%。",
        "Overall satisfaction {rate}% ({satisfied}/{valid}); the threshold is "
        "{threshold}%.",
    ),
    "survey.passed": ("社会认可度达标。", "Part 4 passes."),
    "survey.failed": (
        "社会认可度未达标；满意率最低的题目：{items}。",
        "Part 4 fails; the items with the lowest rates: {items}.",
    ),
    "survey.no_answers": ("尚无有效回答。", "No valid answers yet."),
    "survey.overall_suppressed": (
        "不显示总体满意率和结论：用总体数减去其他群体，可推算出答卷不足 {minimum} "
        "人的群体的回答（或这些群体的回答全部相同）。本轮已结束，将一直不显示；"
        "新一轮调查中这些群体合计达到 {minimum} 人且回答不全相同时才会显示。",
        "The overall rate and verdict are hidden: subtracting the other groups "
        "from them would reveal the answers of groups with fewer than {minimum} "
        "respondents (or those groups all answered alike). The round is closed, "
        "so they stay hidden; in a new round they show once those groups pool "
        "{minimum} respondents whose answers differ.",
    ),
    "survey.overall_open": (
        "本轮调查进行中，满意率、满意和有效回答数及结论在结束本轮后显示；"
        "进行中只显示答卷数，以免前后对比推算出单份答卷。结束后，答卷不足 {minimum} "
        "人的群体合计须为 0 或至少 {minimum} 人，总体满意率才会显示，"
        "结束前请核对下方的回收数。",
        "The round is open: rates, satisfied and valid answers and the verdict "
        "show once it is closed. Until then only the numbers of respondents "
        "show, so that comparing two views cannot reveal one person's answers. "
        "Once closed, the overall rate shows only if the groups with fewer than "
        "{minimum} respondents pool none or at least {minimum}; check the counts "
        "below before closing.",
    ),
    "survey.formula": (
        "满意率 = 满意回答数 ÷ 有效回答数 × 100%，有效回答不含“不了解”；"
        "官方计算方法未在公开资料中找到，此为平台的口径（未证实）。",
        "Rate = satisfied answers ÷ valid answers × 100%, leaving out "
        '"don\'t know". The official formula was not found in public sources; '
        "this is the platform's reading (unconfirmed).",
    ),
    "survey.chart_title": ("各群体满意率", "Satisfaction by group"),
    "survey.issue_title": ("签发答题链接", "Issue answer links"),
    "survey.issue_help": (
        "每个设计单元补足链接；链接只在本次下载中出现一次"
        "（Excel 清单和可打印的二维码页），请妥善保存。",
        "Issues the links each design cell still needs. The links appear only "
        "in this download (an Excel list and printable QR sheets); keep it safe.",
    ),
    "survey.extra": ("额外链接比例（%）", "Extra links (%)"),
    "survey.issue_button": ("签发并下载", "Issue and download"),
    "survey.close_button": ("结束调查", "Close the round"),
    "survey.write_button": ("写入县级指标（草稿）", "Write to county items (draft)"),
    "survey.write_help": (
        "把总体满意率写入本县当年县级指标的新草稿，提交审核后用于评估。"
        "本轮须已结束且页面显示总体满意率；各单元未达到设计样本数时须填写理由，"
        "理由记入审计日志。",
        "Writes the overall rate into a new draft of the county's items for the "
        "year; it is used in evaluations once reviewed. The round must be closed "
        "and this page must show its overall rate; when a cell is short of its "
        "design size you give a reason, which is audited.",
    ),
    "survey.override_reason": (
        "以不足样本写入的理由",
        "Reason to write from a partial sample",
    ),
    "survey.written": (
        "已写入县级指标第 {version} 版（草稿）。",
        "Written as version {version} of the county items (draft).",
    ),
    "survey.downloads": ("数据下载", "Downloads"),
    "survey.notice_title": ("问卷说明", "About the questionnaires"),
    "answer.title": ("满意度调查", "Satisfaction survey"),
    "answer.intro": (
        "本问卷匿名填写，不记录姓名、电话和网络地址。每道题请选一项。",
        "This survey is anonymous: no name, phone number or network address is "
        "stored. Choose one answer per question.",
    ),
    "answer.submit": ("提交", "Submit"),
    "answer.thanks_title": ("提交成功", "Thank you"),
    "answer.thanks": (
        "感谢您的参与！您的回答已匿名保存。",
        "Thank you! Your answers have been stored anonymously.",
    ),
    "answer.invalid_title": ("链接无效", "Invalid link"),
    "answer.invalid": (
        "该链接无效，请检查是否完整扫描了二维码。",
        "This link is not valid. Check that the whole QR code was scanned.",
    ),
    "answer.used_title": ("链接已使用", "Link already used"),
    "answer.used": (
        "该链接已经作答过，每个链接只能提交一次。",
        "This link has been answered already; each link takes one answer.",
    ),
    "answer.ended_title": ("调查已结束", "Survey closed"),
    "answer.ended": ("本次调查已结束，感谢关注。", "This survey has closed."),
    "answer.missing": ("请回答每一道题：", "Please answer every question:"),
    "answer.too_many": (
        "请求过于频繁，请稍后再试。",
        "Too many requests; please try again later.",
    ),
    "answer.too_large": ("提交的内容过大。", "The submitted form is too large."),
    "answer.busy": (
        "服务器繁忙，请稍后重新提交。",
        "The server is busy; submit again shortly.",
    ),
}
