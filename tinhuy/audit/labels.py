"""What the audit log's codes mean, in Vietnamese: action names, field names, where ids point.

One registry for the whole application. Every ``record("…")`` action needs a label here:
``tests/audit/test_audit_labels.py`` reads the source for ``record(`` calls and fails on an
action without one. A field of a before/after snapshot is named by the target model's field
(its ``verbose_name``, choices and relation) when the key is one; otherwise by ``FIELD_ALIASES``
(the field of another model the key stands for, e.g. a programme's ``draft_state``) or by
``FIELD_LABELS`` (keys that are no model field: counts, file names, versions).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    # Accounts
    "api_token.create": _("Tạo mã truy cập API"),
    "api_token.revoke": _("Thu hồi mã truy cập API"),
    "user.create": _("Tạo tài khoản"),
    "user.set_password": _("Đặt mật khẩu tài khoản"),
    "calendar_links.revoke": _("Thu hồi các đường dẫn lịch (.ics) đã cấp"),
    # Organisation
    "structure.create": _("Tạo cơ cấu tổ chức"),
    "unit.create": _("Tạo đơn vị"),
    "unit.rename": _("Đổi tên đơn vị"),
    "unit.set_successors": _("Ghi đơn vị kế thừa"),
    "unit.set_validity": _("Ghi thời gian hiệu lực của đơn vị"),
    "unit.set_headcount": _("Ghi số đảng viên của đơn vị"),
    "person.create": _("Thêm người"),
    "membership.grant": _("Cấp quyền cho tài khoản tại đơn vị"),
    "membership.revoke": _("Thu hồi quyền của tài khoản tại đơn vị"),
    # Study campaigns
    "plan.create": _("Tạo kế hoạch học tập, quán triệt"),
    "plan.edit": _("Sửa kế hoạch học tập, quán triệt"),
    "plan.issue": _("Ban hành kế hoạch học tập, quán triệt"),
    "plan.close": _("Kết thúc kế hoạch học tập, quán triệt"),
    "plan.rule_add": _("Thêm quy định cho một cấp"),
    "plan.rule_remove": _("Bỏ quy định của một cấp"),
    "plan.edit_rule": _("Sửa quy định của một cấp"),
    "plan.amend_rule": _("Điều chỉnh quy định của một cấp (kế hoạch đã ban hành)"),
    "plan.topic_add": _("Thêm chuyên đề"),
    "plan.topic_edit": _("Sửa chuyên đề"),
    "plan.topic_remove": _("Bỏ chuyên đề"),
    "plan.topics_reorder": _("Sắp xếp lại chuyên đề"),
    "conference.register": _("Đăng ký hội nghị"),
    "conference.edit": _("Sửa đăng ký hội nghị"),
    "conference.cancel": _("Hủy đăng ký hội nghị"),
    "conference.report": _("Báo cáo kết quả hội nghị"),
    "conference.amend_report": _("Điều chỉnh báo cáo kết quả hội nghị"),
    "conference.attendance": _("Ghi danh sách dự hội nghị"),
    "conference.invitees.add": _("Thêm người được mời dự hội nghị"),
    "conference.check_in": _("Điểm danh tại hội nghị"),
    "members.load": _("Nạp danh sách đảng viên"),
    "study.reminders_sent": _("Gửi nhắc việc học tập, quán triệt"),
    # Standing Board meetings and drafts
    "draft.create": _("Tạo dự thảo"),
    "draft.text": _("Sửa nội dung dự thảo"),
    "draft.submit": _("Trình dự thảo"),
    "draft.attach": _("Đính kèm tệp vào dự thảo"),
    "draft.detach": _("Gỡ tệp đính kèm khỏi dự thảo"),
    "draft.opinion": _("Góp ý dự thảo"),
    "draft.disposition": _("Tiếp thu, giải trình ý kiến"),
    "draft.issue": _("Ban hành văn bản"),
    "meeting.create": _("Tạo phiên họp Ban Thường vụ"),
    "meeting.item": _("Đưa dự thảo vào chương trình họp"),
    "meeting.conclusion": _("Ghi kết luận phiên họp"),
    "meeting.notice": _("Ra thông báo kết luận"),
    "follow_up.create": _("Giao việc sau kết luận"),
    "follow_up.close": _("Hoàn thành việc sau kết luận"),
    "follow_up.reminders_sent": _("Gửi nhắc việc sau kết luận"),
    # Programmes
    "programme.create": _("Tạo chương trình, đề án"),
    "programme.update": _("Sửa chương trình, đề án"),
    "programme.draft": _("Gắn dự thảo cho chương trình"),
    "programme.state": _("Chuyển trạng thái chương trình"),
    "programme.finish": _("Kết thúc chương trình"),
    "programme.adjust": _("Điều chỉnh chương trình đã phê duyệt"),
    "programme.node.create": _("Thêm nhiệm vụ, lĩnh vực"),
    "programme.node.update": _("Sửa nhiệm vụ, lĩnh vực"),
    "programme.node.move": _("Chuyển chỗ nhiệm vụ, lĩnh vực"),
    "programme.node.remove": _("Bỏ nhiệm vụ, lĩnh vực"),
    "programme.milestone.create": _("Thêm mốc"),
    "programme.milestone.update": _("Sửa mốc"),
    "programme.milestone.remove": _("Bỏ mốc"),
    "programme.milestone.done": _("Hoàn thành mốc"),
    "programme.budget.create": _("Thêm dòng kinh phí"),
    "programme.budget.set": _("Sửa kinh phí"),
    "programme.budget.remove": _("Bỏ dòng kinh phí"),
    "programme.indicator.create": _("Thêm chỉ tiêu"),
    "programme.indicator.remove": _("Bỏ chỉ tiêu"),
    "programme.indicator.targets": _("Sửa chỉ tiêu theo năm"),
    "programme.cycle.open": _("Mở kỳ báo cáo"),
    "programme.cycle.close": _("Đóng kỳ báo cáo"),
    "programme.report": _("Báo cáo tiến độ"),
    "programme.report.attach": _("Đính kèm tệp vào báo cáo tiến độ"),
    "programme.reminders_sent": _("Gửi nhắc việc báo cáo tiến độ"),
    "programme.hand_over": _("Bàn giao nhiệm vụ cho cơ quan kế thừa"),
    "delegation.create": _("Tạo đề xuất phân cấp, ủy quyền"),
    "delegation.state": _("Chuyển trạng thái phân cấp, ủy quyền"),
    # Document register
    "register.create_body": _("Tạo cơ quan ban hành"),
    "register.open_period": _("Mở sổ đăng ký văn bản"),
    "register.close_period": _("Khóa sổ đăng ký văn bản"),
    "register.issue": _("Cấp số văn bản"),
    "register.cancel": _("Hủy số văn bản"),
    # Gazetteer
    "gazetteer.entry.create": _("Tạo mục từ địa chí"),
    "gazetteer.entry.change": _("Sửa mục từ địa chí"),
    "gazetteer.entry.state": _("Chuyển trạng thái mục từ địa chí"),
    "gazetteer.chapter.create": _("Tạo chương địa chí"),
    "gazetteer.chapter.change": _("Sửa chương địa chí"),
    "gazetteer.indicator.create": _("Tạo chỉ tiêu địa chí"),
    "gazetteer.indicator.change": _("Sửa chỉ tiêu địa chí"),
    "gazetteer.observations.save": _("Cập nhật số liệu địa chí"),
    "gazetteer.places.load": _("Nạp danh mục địa danh"),
    "gazetteer.edition.publish": _("Công bố ấn bản địa chí"),
}

# Keys that stand for a field of another model than the event's target, as "app.Model.field":
# its verbose name labels the key, its choices and relation read the value. Keyed by
# "action:key" where the same key means different things in different actions, else by key.
FIELD_ALIASES: dict[str, str] = {
    "draft.disposition:kind": "meetings.Disposition.kind",
    "draft.disposition:opinion": "meetings.Disposition.opinion",
    "draft.disposition:explanation": "meetings.Disposition.explanation",
    "draft.opinion:opinion": "meetings.Disposition.opinion",
    "draft.issue:number": "study.Plan.number",
    "meeting.item:draft": "meetings.AgendaItem.draft",
    "meeting.item:order": "meetings.AgendaItem.order",
    "meeting.conclusion:draft": "meetings.AgendaItem.draft",
    "meeting.conclusion:outcome": "meetings.AgendaItem.outcome",
    "follow_up.close:note": "meetings.DraftVersion.note",
    "programme.state:draft_state": "meetings.Draft.state",
    "programme.cycle.open:frequency": "programs.ReportingCycle.frequency",
    "programme.cycle.open:due_on": "programs.ReportingCycle.due_on",
    "programme.milestone.create:due_on": "programs.Milestone.due_on",
    "programme.milestone.update:due_on": "programs.Milestone.due_on",
    "programme.milestone.done:done_on": "programs.Milestone.done_on",
    "programme.indicator.create:indicator": "programs.IndicatorTarget.indicator",
    "programme.indicator.remove:indicator": "programs.IndicatorTarget.indicator",
    "programme.indicator.targets:indicator": "programs.IndicatorTarget.indicator",
    "programme.indicator.targets:name": "programs.Indicator.name",
    "programme.indicator.create:name": "programs.Indicator.name",
    "programme.report:cycle": "programs.ProgressReport.cycle",
    "programme.cycle.close:cycle": "programs.ProgressReport.cycle",
    "programme.report:narrative": "programs.ProgressReport.narrative",
    "programme.report:spent": "programs.ProgressReport.spent",
    "programme.report:status": "programs.ProgressReport.status",
    "programme.report:progress": "programs.ProgressReport.progress",
    "programme.budget.create:amount": "programs.BudgetLine.amount",
    "programme.budget.create:source": "programs.BudgetLine.source",
    "programme.budget.create:year": "programs.BudgetLine.year",
    "programme.budget.set:amount": "programs.BudgetLine.amount",
    "programme.budget.set:source": "programs.BudgetLine.source",
    "programme.budget.set:year": "programs.BudgetLine.year",
    "programme.budget.remove:amount": "programs.BudgetLine.amount",
    "programme.budget.remove:source": "programs.BudgetLine.source",
    "programme.budget.remove:year": "programs.BudgetLine.year",
    "register.issue:proposed": "register.RegisterEntry.number",
    "plan.issue:register_entry": "meetings.Draft.register_entry",
}

# Keys that are no model field: what the action counted, read or wrote besides the fields.
FIELD_LABELS: dict[str, Promise] = {
    "absent": _("số vắng mặt"),
    "added": _("số mới thêm"),
    "amount": _("số tiền"),
    "bridge_attended": _("dự tại điểm cầu"),
    "change": _("nội dung điều chỉnh"),
    "content_type": _("loại văn bản gốc"),
    "object_id": _("văn bản gốc"),
    "plan": _("kế hoạch"),
    "problems_confirmed": _("đã xác nhận đăng ký dù chưa đúng quy định"),
    "reason": _("lý do"),
    "rule_problems": _("điểm chưa đúng quy định"),
    "bridge_points": _("điểm cầu"),
    "codes": _("mã"),
    "created": _("số được tạo"),
    "cycle": _("kỳ báo cáo"),
    "done_on": _("ngày hoàn thành"),
    "draft": _("dự thảo"),
    "draft_state": _("trạng thái dự thảo"),
    "due_on": _("hạn"),
    "entries": _("số mục từ"),
    "explanation": _("giải trình"),
    "file": _("tệp"),
    "follow_ups": _("việc được giao"),
    "frequency": _("kỳ báo cáo"),
    "indicator": _("chỉ tiêu"),
    "item": _("mục trong chương trình họp"),
    "levels": _("các cấp"),
    "line": _("dòng kinh phí"),
    "lines": _("số dòng"),
    "milestone": _("mốc"),
    "name": _("tên"),
    "narrative": _("nội dung báo cáo"),
    "note": _("ghi chú"),
    "number": _("số"),
    "opinion": _("ý kiến"),
    "order": _("thứ tự"),
    "outcome": _("kết quả"),
    "path": _("vị trí trong cây"),
    "programme": _("chương trình"),
    "present": _("số có mặt"),
    "proposed": _("số đề nghị"),
    "register_entry": _("số đăng ký văn bản"),
    "revised": _("số liệu điều chỉnh"),
    "revision": _("phiên bản"),
    "rules": _("quy định theo cấp"),
    "segments": _("số phần của hội nghị"),
    "sha256": _("dấu vân tay nội dung (SHA-256)"),
    "source": _("nguồn"),
    "spent": _("kinh phí đã dùng"),
    "targets": _("chỉ tiêu theo năm"),
    "topics": _("chuyên đề"),
    "values": _("giá trị theo năm"),
    "version": _("phiên bản"),
    "year": _("năm"),
    # Inside nested values (a revised figure, a rule, a topic)
    "id": _("mã số"),
    "before": _("trước"),
    "after": _("sau"),
    "confirmed": _("đã xác nhận"),
    "author": _("người viết"),
}

# Keys that hold the id of an object of another model and are no field of any: the model.
ID_KEYS: dict[str, str] = {
    "milestone": "programs.Milestone",
    "opinion": "meetings.Opinion",
}

# Keys never shown: ids of objects that have no name a reader could use (a budget line, an
# agenda item, a generic relation), or internal structure (a unit's materialised path). By
# "target_type:key" or by key. The event keeps them; the admin shows them.
HIDDEN_KEYS: frozenset[str] = frozenset(
    {"org.Unit:path", "line", "item", "content_type", "object_id", "id"}
)

# Models whose ids the log shows as names, and the field (or fields, joined) that names them,
# read in one query per model for a whole page. Units and people are named only inside the
# viewer's scope.
NAME_FIELDS: dict[str, str | tuple[str, ...]] = {
    "org.Unit": "name",
    "org.Person": "full_name",
    "auth.User": "username",
    "org.Structure": "name",
    "org.Level": "name",
    "study.Plan": "title",
    "study.Topic": "title",
    "meetings.Draft": "title",
    "programs.Programme": "title",
    "programs.Node": "title",
    "programs.Milestone": "title",
    "programs.Indicator": "name",
    "register.IssuingBody": "name",
    "register.NumberingPeriod": "label",
    "gazetteer.Indicator": "name",
    "gazetteer.Place": "name",
    "gazetteer.Chapter": "title",
    "programs.ReportingCycle": ("period_start", "period_end"),
    "meetings.Opinion": ("author_name", "line_from", "line_to"),
}


def action_label(code: str) -> str:
    """The Vietnamese name of an action; an unknown code (an old event) is shown as it is."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
