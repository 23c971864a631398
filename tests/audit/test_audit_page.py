"""The audit page: filterable, scoped, for the admins of the scope."""


def test_the_audit_page_lists_changes_in_scope(world):
    body = world.client("bob").get("/audit/").content.decode()
    assert "第一党支部" in body and "新建组织" in body
    assert "鄂尔多斯" not in body


def test_the_audit_page_filters_by_action_and_object(world):
    body = (
        world.client("alice")
        .get("/audit/", {"action": "people.create", "q": "王芳"})
        .content.decode()
    )
    assert "王芳" in body and "新增人员" in body and "张华庆" not in body


def test_members_and_secretaries_have_no_audit_page(world):
    assert world.client("dave").get("/audit/").status_code == 403
    assert world.client("carol").get("/audit/").status_code == 403
