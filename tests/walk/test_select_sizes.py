"""The walker counts every <select>'s options, so a list of the whole tree fails a walk."""

from tests.walk.crawler import MAX_SELECT_OPTIONS, Walk, Walker, _Page


def test_the_walker_names_a_select_longer_than_the_limit() -> None:
    many = "".join(f'<option value="O{i}">组织{i}</option>' for i in range(MAX_SELECT_OPTIONS + 1))
    few = '<option value="">全部</option><option value="a">甲</option>'
    page = _Page()
    page.feed(
        f'<form method="get"><select name="org">{many}</select>'
        f'<select name="year">{few}</select></form><datalist id="d">{many}</datalist>'
    )
    assert page.select_sizes == [("org", MAX_SELECT_OPTIONS + 1), ("year", 2)]
    walk = Walk("admin")
    Walker(client=None, persona="admin")._check_text(walk, "/people/", "/", page)  # type: ignore[arg-type]
    assert [p.what for p in walk.problems] == [
        f"a <select> 'org' with {MAX_SELECT_OPTIONS + 1} options"
    ]
