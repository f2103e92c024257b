"""The download of a link issue: an Excel list of links and printable QR sheets.

Link tokens exist in clear only while the issue request is handled, so both
files are built at once and packed in one ZIP archive: ``links.xlsx`` (one row per link,
with its group, stratum and grade band) and ``qr-sheets.html``, a page that
prints one card per link with its QR code as inline SVG and the link as text.
The QR codes are drawn by the ``qrcode`` package.
"""

from __future__ import annotations

import io
import zipfile
from html import escape

import qrcode
import qrcode.image.svg
import xlsxwriter

from junheng.participation.questionnaire import QuestionnaireSet
from junheng.services.surveys import IssuedLink

ANSWER_PATH = "/s/"
"""Path of the answer page; the token follows it."""

_CARD_STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0; }
.cards { display: flex; flex-wrap: wrap; }
.card { width: 62mm; height: 86mm; box-sizing: border-box; padding: 4mm;
        border: 1px dashed #999; page-break-inside: avoid; text-align: center; }
.card svg { width: 42mm; height: 42mm; }
.card p { margin: 1mm 0; font-size: 9pt; }
.card .url { font-family: monospace; font-size: 7pt; word-break: break-all; }
"""


def answer_url(base_url: str, token: str) -> str:
    """Return the answer link of ``token`` on the site at ``base_url``."""
    return f"{base_url.rstrip('/')}{ANSWER_PATH}{token}"


def qr_svg(url: str) -> str:
    """Return the QR code of ``url`` as an SVG document (error correction M)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(url)
    code.make(fit=True)
    svg: str = code.make_image().to_string(encoding="unicode")
    return svg


def _labels(qset: QuestionnaireSet, link: IssuedLink) -> tuple[str, str, str]:
    group = qset.group(link.group)
    stratum = next(s for s in qset.strata if s.key == link.stratum)
    band = next((b for b in group.bands if b.key == link.band), None)
    return group.zh, stratum.zh, band.zh if band else ""


def links_workbook(
    qset: QuestionnaireSet, links: list[IssuedLink], base_url: str, title: str
) -> bytes:
    """Return an Excel workbook listing ``links``, one row per link."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("链接 links")
    bold = book.add_format({"bold": True})
    sheet.write(0, 0, title, bold)
    headers = ("序号 No.", "群体 Group", "城乡 Stratum", "年级段 Grades", "链接 Link")
    for column, header in enumerate(headers):
        sheet.write(2, column, header, bold)
    for row, link in enumerate(links, start=3):
        group, stratum, band = _labels(qset, link)
        sheet.write_number(row, 0, row - 2)
        sheet.write_string(row, 1, group)
        sheet.write_string(row, 2, stratum)
        sheet.write_string(row, 3, band)
        sheet.write_string(row, 4, answer_url(base_url, link.token))
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 3, 16)
    sheet.set_column(4, 4, 60)
    book.close()
    return buffer.getvalue()


def qr_sheets(
    qset: QuestionnaireSet, links: list[IssuedLink], base_url: str, title: str
) -> str:
    """Return a printable HTML page with one QR card per link."""
    cards = []
    for number, link in enumerate(links, start=1):
        group, stratum, band = _labels(qset, link)
        url = answer_url(base_url, link.token)
        cards.append(
            '<div class="card">'
            f"<p><strong>{escape(title)}</strong></p>"
            f"{qr_svg(url)}"
            f"<p>{escape(group)} · {escape(stratum)}"
            f"{' · ' + escape(band) if band else ''} · No. {number}</p>"
            "<p>请用手机扫码作答，每个二维码只能作答一次。</p>"
            f'<p class="url">{escape(url)}</p></div>'
        )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CARD_STYLE}</style></head>"
        f'<body><div class="cards">{"".join(cards)}</div></body></html>'
    )


def issue_archive(
    qset: QuestionnaireSet, links: list[IssuedLink], base_url: str, title: str
) -> bytes:
    """Return the ZIP archive of an issue: ``links.xlsx`` and ``qr-sheets.html``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("links.xlsx", links_workbook(qset, links, base_url, title))
        archive.writestr("qr-sheets.html", qr_sheets(qset, links, base_url, title))
    return buffer.getvalue()
