"""The sheet layer: cleaning values the way a clerk expects, finding headers, reading and writing .xlsx."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from tests.people.sheets import xlsx
from tianping.lib.sheets import (
    CellError,
    Choices,
    Columns,
    ImportResult,
    SheetError,
    clean_code,
    clean_name,
    clean_text,
    header_key,
    parse_date,
    read_table,
    report_result,
    write_table,
)

ROSTER = Columns(
    synonyms={
        "工号": ("人员编号", "员工编号", "编号"),
        "姓名": ("人员姓名",),
        "性别": (),
        "出生日期": ("出生年月",),
    },
    required=("工号", "姓名"),
)


# --- cleaning -------------------------------------------------------------------------


def test_surrounding_spaces_are_stripped() -> None:
    assert clean_text("  民事审判庭\u3000") == "民事审判庭"
    assert clean_text("\u200b工号\ufeff") == "工号"
    assert clean_text(None) == ""


def test_full_width_letters_and_digits_become_half_width() -> None:
    assert clean_code("ＨＸ００２") == "HX002"
    assert clean_code("ＢＴ－ＪＹ") == "BT-JY"
    assert clean_text("第１党支部") == "第1党支部"


def test_chinese_punctuation_in_text_is_kept() -> None:
    assert clean_text("立案庭（诉讼服务中心）") == "立案庭（诉讼服务中心）"


def test_a_number_cell_becomes_its_digits() -> None:
    assert clean_code(1001.0) == "1001"
    assert clean_code(1001) == "1001"


@pytest.mark.parametrize("written", ["王　芳", "王 芳", " 王芳 ", "王\u3000\u3000芳", "王  芳"])
def test_the_padding_inside_a_chinese_name_goes(written: str) -> None:
    assert clean_name(written) == "王芳"


@pytest.mark.parametrize(
    "written",
    ["买买提·艾力", "买买提•艾力", "买买提・艾力", "买买提．艾力", "买买提.艾力", "买买提 · 艾力"],
)
def test_a_names_dot_stays_and_its_look_alikes_become_it(written: str) -> None:
    assert clean_name(written) == "买买提·艾力"


def test_a_latin_name_keeps_one_space_between_words() -> None:
    assert clean_name(" John   Smith ") == "John Smith"


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "1985-03-02",
        "1985-3-2",
        "1985/3/2",
        "1985/03/02",
        "1985.03.02",
        "1985.3.2",
        "1985年3月2日",
        "1985年03月02日",
        " 1985-03-02 ",
        "１９８５－０３－０２",
        "1985-03-02 00:00:00",
        "19850302",
        19850302,
        dt.datetime(1985, 3, 2),
        dt.date(1985, 3, 2),
        31108,
        31108.0,
        "31108",
    ],
)
def test_every_way_a_clerk_writes_a_date_is_understood(written: object) -> None:
    assert parse_date(written) == dt.date(1985, 3, 2)


@pytest.mark.parametrize(
    "written", ["1985.03", "1985.3", "1985-03", "1985/3", "1985年3月", "198503", 198503, 1985.03]
)
def test_a_month_alone_means_its_first_day(written: object) -> None:
    assert parse_date(written) == dt.date(1985, 3, 1)


@pytest.mark.parametrize("written", [None, "", "   "])
def test_a_blank_date_is_none(written: object) -> None:
    assert parse_date(written) is None


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("1985-13-01", "没有13月"),
        ("1985-02-30", "1985年2月没有30日"),
        ("1985-00-10", "没有0月"),
        ("1850-01-01", "年份"),
        ("1985", "只有年份"),
        (1985, "只有年份"),
        ("85-3-2", "无法识别的日期"),
        ("三月二日", "无法识别的日期"),
        (True, "无法识别的日期"),
    ],
)
def test_impossible_dates_are_errors(written: object, says: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(written)
    assert says in caught.value.message


# --- enumerations ---------------------------------------------------------------------

CATEGORY = Choices(
    "人员类别",
    {"员额法官": "judge", "法官助理": "judge_assistant", "法官": "judge"},
    ["员额法官", "法官助理"],
)


def test_enumerations_match_in_traditional_chinese() -> None:
    assert CATEGORY.match("員額法官") == "judge"
    assert CATEGORY.match("法官助理") == "judge_assistant"


def test_enumerations_ignore_spaces_and_width() -> None:
    assert CATEGORY.match(" 员额 法官 ") == "judge"
    assert CATEGORY.match("法官\u3000") == "judge"


def test_a_blank_enumeration_is_empty() -> None:
    assert CATEGORY.match(None) == ""
    assert CATEGORY.match("  ") == ""


def test_an_unknown_enumeration_says_what_may_be_written() -> None:
    with pytest.raises(CellError) as caught:
        CATEGORY.match("律师")
    assert caught.value.message == "无法识别的人员类别，可填：员额法官、法官助理"


# --- headers --------------------------------------------------------------------------


def test_header_keys_ignore_spaces_notes_and_script() -> None:
    assert header_key("性 别") == "性别"
    assert header_key("出生日期（格式：1985-03-02）") == "出生日期"
    assert header_key("*工号") == "工号"
    assert header_key("學歷") == "学历"


def test_the_header_is_found_below_title_rows_and_rows_keep_their_excel_numbers() -> None:
    book = xlsx(
        [["工号", "姓名"], ["HX001", "张三"], [None, None], ["HX002", "李四"]],
        title_rows=[["九原区人民法院花名册"], ["制表：政治部", None, "2024年3月"]],
    )
    with read_table(book, ROSTER) as table:
        assert table.header_row == 3
        assert [(n, v[:2]) for n, v in table] == [(4, ["HX001", "张三"]), (6, ["HX002", "李四"])]


def test_header_synonyms_map_to_the_canonical_names_and_keep_their_spelling() -> None:
    book = xlsx([["人员编号", "姓名", "性 别", "出生年月"], ["HX001", "张三", "男", "1985.03"]])
    with read_table(book, ROSTER) as table:
        assert table.index == {"工号": 0, "姓名": 1, "性别": 2, "出生日期": 3}
        assert table.written == {
            "工号": "人员编号",
            "姓名": "姓名",
            "性别": "性 别",
            "出生日期": "出生年月",
        }


def test_the_canonical_header_wins_over_a_synonym() -> None:
    book = xlsx([["编号", "工号", "姓名"], [1, "HX001", "张三"]])
    with read_table(book, ROSTER) as table:
        assert table.index["工号"] == 1


def test_a_column_written_twice_is_an_error() -> None:
    book = xlsx([["工号", "人员姓名", "人员姓名"]])
    with pytest.raises(SheetError) as caught:
        read_table(book, ROSTER)
    assert caught.value.row == 1
    assert caught.value.column == "人员姓名"
    assert "重复" in caught.value.message


def test_a_header_missing_a_required_column_is_an_error() -> None:
    book = xlsx([["工号", "性别", "出生日期"], ["HX001", "男", "1985-03-02"]])
    with pytest.raises(SheetError) as caught:
        read_table(book, ROSTER)
    assert caught.value.row == 1
    assert "“姓名”" in caught.value.message


def test_a_sheet_without_any_header_is_an_error() -> None:
    with pytest.raises(SheetError) as caught:
        read_table(xlsx([["随便写写"], [1, 2, 3]]), ROSTER)
    assert caught.value.row is None
    assert "找不到表头" in caught.value.message


def test_a_file_that_is_not_a_workbook_is_an_error() -> None:
    with pytest.raises(SheetError) as caught:
        read_table(io.BytesIO(b"not a zip file"), ROSTER)
    assert "不是有效的Excel工作簿" in caught.value.message


def test_a_cover_sheet_without_the_header_is_passed_over() -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "说明"
    book.active.append(["请按模板填写"])
    roster = book.create_sheet("花名册")
    roster.append(["工号", "姓名"])
    roster.append(["HX001", "张三"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with read_table(buffer, ROSTER) as table:
        assert table.sheet == "花名册"
        assert [v for _, v in table] == [["HX001", "张三"]]


def test_date_cells_written_by_openpyxl_come_back_as_dates() -> None:
    book = xlsx(
        [
            ["工号", "姓名", "出生日期"],
            ["HX001", "张三", dt.datetime(1985, 3, 2)],
            ["HX002", "李四", dt.date(1990, 1, 31)],
        ]
    )
    with read_table(book, ROSTER) as table:
        values = [v[2] for _, v in table]
    assert [parse_date(v) for v in values] == [dt.date(1985, 3, 2), dt.date(1990, 1, 31)]


def _hand_made_workbook(sheet_xml: str | None = None) -> io.BytesIO:
    """What Excel and WPS write and openpyxl does not: shared strings with rich-text runs and
    phonetic hints, the Chinese built-in date format 31, cells without references."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="/xl/styles.xml"/></Relationships>'
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0"?><sst xmlns="{main}">'
            "<si><t>九原区人民法院花名册</t></si>"
            "<si><t>工号</t></si>"
            '<si><r><rPr><b/></rPr><t>姓</t></r><r><t>名</t></r><rPh sb="0" eb="1"><t>xingming</t></rPh></si>'
            "<si><t>出生日期</t></si>"
            '<si><t xml:space="preserve"> HX001 </t></si>'
            "</sst>"
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0"?><styleSheet xmlns="{main}">'
            '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
            '<numFmt numFmtId="165" formatCode="h:mm"/></numFmts>'
            '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="31"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs>'
            "</styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="s"><v>2</v></c><c r="C3" t="s"><v>3</v></c></row>'
            '<row r="4"><c r="A4" t="s"><v>4</v></c><c r="B4" t="inlineStr"><is><t>张三</t></is></c><c r="C4" s="1"><v>31108</v></c></row>'
            '<row><c t="str"><v>HX002</v></c><c t="inlineStr"><is><r><t>李</t></r><r><t>四</t></r></is></c><c s="2"><v>31109</v></c></row>'
            '<row r="7"><c r="A7"><v>1003</v></c><c r="B7" t="inlineStr"><is><t>王五</t></is></c><c r="D7" s="3"><v>0.5</v></c></row>'
            "</sheetData></worksheet>"
        ),
    }
    if sheet_xml is not None:
        parts["xl/worksheets/sheet1.xml"] = sheet_xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    buffer.seek(0)
    return buffer


def test_a_workbook_as_excel_writes_it_is_read() -> None:
    with read_table(_hand_made_workbook(), ROSTER) as table:
        assert table.sheet == "花名册"
        assert table.header_row == 3
        assert table.written["姓名"] == "姓名"
        rows = list(table)
    assert rows == [
        (4, [" HX001 ", "张三", dt.datetime(1985, 3, 2)]),
        (5, ["HX002", "李四", dt.datetime(1985, 3, 3)]),
        (7, [1003, "王五", None, 0.5]),
    ]


def test_a_workbook_damaged_below_its_header_is_an_error_not_a_crash() -> None:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    broken = (
        f'<worksheet xmlns="{main}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>99</v></c></row>'
    )
    with pytest.raises(SheetError) as caught:
        with read_table(_hand_made_workbook(broken), ROSTER) as table:
            list(table)
    assert "损坏" in caught.value.message


# --- writing and reporting ------------------------------------------------------------


def test_a_written_table_has_a_bold_frozen_header_and_reads_back() -> None:
    buffer = io.BytesIO()
    write_table(buffer, ["工号", "姓名", "部门"], [["HX001", "张三", "民事审判庭"]], title="花名册")
    buffer.seek(0)
    book = load_workbook(buffer)
    sheet = book["花名册"]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 12
    buffer.seek(0)
    with read_table(buffer, ROSTER) as table:
        assert [v for _, v in table] == [["HX001", "张三", "民事审判庭"]]


def test_a_sheet_error_reads_like_a_clerks_note() -> None:
    error = SheetError(7, "出生日期", "1985-13-01", "不是有效的日期：没有13月")
    assert str(error) == "第7行 出生日期「1985-13-01」：不是有效的日期：没有13月"
    assert error.as_dict() == {
        "row": 7,
        "column": "出生日期",
        "value": "1985-13-01",
        "message": "不是有效的日期：没有13月",
    }
    assert SheetError(3, "出生日期", dt.datetime(1985, 3, 2), "x").value == "1985-03-02"


def test_an_import_result_is_reported_as_json_without_escapes() -> None:
    out, err = io.StringIO(), io.StringIO()
    result = ImportResult(errors=[SheetError(7, "出生日期", "1985-13-01", "不是有效的日期")])
    report_result(result, as_json=True, stdout=out, stderr=err)
    assert out.getvalue().strip() == (
        '{"ok": false, "created": 0, "updated": 0, "unchanged": 0, "errors": '
        '[{"row": 7, "column": "出生日期", "value": "1985-13-01", "message": "不是有效的日期"}]}'
    )
    assert "1处问题" in err.getvalue()


def test_rows_that_cross_the_chunks_the_parser_is_fed_read_as_openpyxl_reads_them() -> None:
    """Rows are harvested after each 64 KB chunk: a row split between chunks, a cell longer
    than a chunk, and what follows the table (merged cells) must not lose or change a value."""
    from openpyxl import Workbook

    from tianping.lib.sheets import XlsxReader

    wb = Workbook()
    ws = wb.active
    ws.append(["工号", "姓名", "备注"])
    for i in range(3000):
        ws.append([f"A{i:05d}", "张" * (1 + i % 7), i * 3 if i % 5 else None])
    ws.append(["LONG", "长" * 150_000, 1])  # one cell spanning several chunks
    ws.append(["LAST", "王五", 2])
    ws.merge_cells("D1:E1")
    buffer = io.BytesIO()
    wb.save(buffer)
    expected = [
        [v for v in row]
        for row in load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).active.iter_rows(
            values_only=True
        )
    ]
    reader = XlsxReader(io.BytesIO(buffer.getvalue()))
    got = [values for _, values in reader.rows(reader.sheets[0][1])]
    assert len(got) == len(expected) == 3003
    for mine, theirs in zip(got, expected, strict=True):
        assert mine == list(theirs[: len(mine)])
        assert all(v is None for v in theirs[len(mine) :])
