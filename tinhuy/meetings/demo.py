"""Demo: the Standing Board meeting of 29/10/2020 (the source article), with its three items.

What comes from the article: the date, the committee (Ban Thường vụ Tỉnh ủy Nghệ An), the
presiding Secretary (Thái Thanh Quý, with the titles the article gives him), the three drafts
heard — the plan to implement Decision 827 of 12/6/2020, the plan to study the Resolution of the
19th Provincial Party Congress, the project "Địa chí Nghệ An trong bối cảnh đương đại" — who
prepared the first (the Party Affairs Committee of the Provincial People's Committee and the
City of Vinh), the Board's remarks and each conclusion (paraphrased in ``CONCLUSIONS``), and the
study plan's facts (``tinhuy.study.demo``).

Everything else is sample data, marked ``is_sample`` and labelled "(minh họa)" where it is
shown: the Board members other than the Secretary, who attended, the content of drafts 1 and 3
(draft 1 is the Decision 827 plan as a programme, ``tinhuy.programs.demo``, whose version 1
text is frozen from the programme; draft 3's text says "dự thảo minh họa"), which body
submitted drafts 2 and 3, every opinion (the points the article
reports the Board making, put in sample members' mouths), every disposition, every follow-up
and its due date, the plan's issue date and signer. The times of the 2020 process are those of
its story, not of the load: a version's "submitted at" and a conclusion's "concluded at" through
the actions' ``at``; the moments the actions stamp themselves (a draft's or the meeting's
creation, an opinion's date, a disposition's, a follow-up's, the register entry's) set right
after them here (``_date_the_story``) — sample data only; the audit events keep the load's time.

The study plan goes the whole way: draft, version 1, opinions, conclusion (approved, to be
revised), disposition table, version 2 (online study from the province to the district level,
as the Board proposed), issued through the province committee's register with its next "KH"
number. Drafts 1 and 3 stop where the article leaves them: concluded, being revised — the
Decision 827 plan's opinions still waiting for TP Vinh's office to answer them (and, since
``tinhuy.programs.demo`` adds an incomplete task to the plan being revised, its version 2
blocked by the completeness gate).

Idempotent: nothing is written once the meeting exists. A database whose 2020 study plan was
issued before this demo existed (without a draft) gets the advisory body and the people, but no
meeting: the plan cannot be heard again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from tinhuy.meetings.actions import (
    FollowUpSpec,
    MemberSpec,
    do_add_item,
    do_close_follow_up,
    do_conclude,
    do_create_draft,
    do_create_meeting,
    do_dispose,
    do_give_opinion,
    do_issue_draft,
    do_submit_version,
)
from tinhuy.meetings.models import (
    AgendaItem,
    Disposition,
    DispositionKind,
    Draft,
    DraftKind,
    DraftVersion,
    FollowUp,
    Meeting,
    Opinion,
    Outcome,
)
from tinhuy.org.actions import do_add_person, do_create_unit
from tinhuy.org.loaders import STRUCTURE_2020_CODE
from tinhuy.org.models import Person, Structure, Unit, UnitKind
from tinhuy.programs.actions import do_create_programme_draft
from tinhuy.programs.demo import DECISION_827_TITLE as DECISION_827_TITLE
from tinhuy.programs.demo import build_decision_827
from tinhuy.register.demo import load_register_demo
from tinhuy.register.models import DocType

D = datetime.date

MEETING_DAY = D(2020, 10, 29)
MEETING_TITLE = "Phiên họp Ban Thường vụ Tỉnh ủy ngày 29/10/2020"
PROVINCE_CODE = "40"
VINH_CODE = "412"

# The advisory body that submits the study plan and the gazetteer project: a real body, so its
# name is a fact (that it submitted these two drafts is sample data, said in the versions'
# notes). A unit of the 2020 structure under the province, of kind "advisory", at the district
# level (the boards of a provincial committee rank with the district committees); a study plan
# expects no conference of an advisory board (``tinhuy.study.queries.plan_progress``).
PROPAGANDA_CODE = "BTG"
PROPAGANDA_NAME = "Ban Tuyên giáo Tỉnh ủy Nghệ An"
PROPAGANDA_LEVEL = "huyen"


@dataclass(frozen=True)
class PersonSpec:
    full_name: str
    position: str
    is_sample: bool = True


# Standing Board members, people of the province unit. The Secretary is the article's; the
# others are sample people (the btv persona, Phạm Văn Hùng, among them).
SECRETARY = PersonSpec(
    "Thái Thanh Quý", "Ủy viên dự khuyết Trung ương Đảng, Bí thư Tỉnh ủy Nghệ An", is_sample=False
)
BOARD: tuple[PersonSpec, ...] = (
    SECRETARY,
    PersonSpec("Phạm Văn Hùng (minh họa)", "Ủy viên Ban Thường vụ Tỉnh ủy"),
    PersonSpec("Hồ Văn Phúc (minh họa)", "Ủy viên Ban Thường vụ Tỉnh ủy"),
    PersonSpec("Đinh Thị Quyên (minh họa)", "Ủy viên Ban Thường vụ Tỉnh ủy"),
    PersonSpec("Lương Văn Tâm (minh họa)", "Ủy viên Ban Thường vụ Tỉnh ủy"),
)
ABSENT = {"Lương Văn Tâm (minh họa)": "Đi công tác (minh họa)"}
PROPAGANDA_OFFICER = PersonSpec("Phan Thị Ngọc (minh họa)", "Chuyên viên (minh họa)")

GAZETTEER_TITLE = "Đề án “Địa chí Nghệ An trong bối cảnh đương đại”"
GAZETTEER_TEXT = "\n".join(
    [
        "ĐỀ ÁN (dự thảo minh họa)",
        GAZETTEER_TITLE,
        "",
        "I. MỤC TIÊU",
        "1. Biên soạn bộ địa chí về tự nhiên, lịch sử, kinh tế, văn hóa, xã hội và con người "
        "Nghệ An trong bối cảnh đương đại.",
        "2. Cung cấp thông tin cho người dân.",
        "",
        "II. NỘI DUNG",
        "1. Hệ thống hóa các nguồn sử liệu, tư liệu đã có.",
        "2. Tổ chức biên soạn theo các phần, chương.",
        "",
        "III. TỔ CHỨC THỰC HIỆN",
        "1. Thành lập Ban chỉ đạo và tổ biên soạn.",
        "2. Huy động các nhà khoa học, nhà nghiên cứu tham gia biên soạn.",
        "",
        "(Nội dung dự thảo là dữ liệu minh họa, không phải văn bản đã trình Ban Thường vụ.)",
    ]
)

# The Secretary's conclusions as the article reports them (paraphrased, in the order heard).
CONCLUSIONS = (
    # 1. Decision 827: the article reports the Board's agreement and what it asked for.
    "Ban Thường vụ Tỉnh ủy thống nhất cao với Kế hoạch do Ban cán sự Đảng UBND tỉnh và Thành ủy "
    "Vinh chuẩn bị. Các chương trình, đề án phải xác định được lộ trình, thời gian và nguồn lực "
    "thực hiện; trên từng lĩnh vực chọn trọng tâm, trọng điểm, tính đột phá để chỉ đạo thực hiện; "
    "phân công người phụ trách cụ thể; giao Sở Kế hoạch và Đầu tư là cơ quan đầu mối. Thành phố "
    "Vinh chủ động đề xuất các cơ chế, chính sách đặc thù; tỉnh nghiên cứu cơ chế, chính sách để "
    "phân cấp, phân quyền nhiều hơn cho thành phố chủ động thực hiện nhiệm vụ.",
    # 2. The study plan.
    "Thống nhất với Dự thảo Kế hoạch tổ chức học tập, quán triệt và triển khai thực hiện Nghị "
    "quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XIX, nhiệm kỳ 2020–2025; đề nghị các cơ quan "
    "tham mưu tiếp thu, điều chỉnh một số nội dung theo ý kiến của các đồng chí trong Ban Thường "
    "vụ Tỉnh ủy, trong đó có đề xuất cân nhắc tổ chức học tập, quán triệt trực tuyến từ tỉnh về "
    "đến cấp huyện và tương đương ở những nơi có điều kiện.",
    # 3. The gazetteer project.
    "Ban Thường vụ Tỉnh ủy thống nhất chủ trương triển khai Đề án “Địa chí Nghệ An trong bối "
    "cảnh đương đại”. Nội dung, sử liệu khá phong phú, đầy đủ; cần xác định và tính toán kỹ lộ "
    "trình, thời gian thực hiện; cách viết, sắp xếp phải khoa học, hợp lý; cần số hóa để thuận "
    "tiện trong truy cập, tìm số liệu. Sau khi ban hành Đề án, hằng năm phải nghiên cứu, bổ "
    "sung, cập nhật số liệu, dữ liệu mới để có giá trị trong cung cấp thông tin cho người dân.",
)

# The loader acts as nobody (the meetings actions take a user, anonymous here; audited as no one).
NOBODY = AnonymousUser()

PLAN_ISSUED_ON = D(2020, 11, 3)  # sample date


def _on(day: datetime.date, hour: int) -> datetime.datetime:
    """A moment of the 2020 process (the drafts submitted before the meeting, the conclusions
    at it, the revision after it): recorded as it happened, not as the demo loads."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


WRITTEN_AT = _on(D(2020, 10, 20), 9)  # sample: the drafts written before they are submitted
SUBMITTED_AT = _on(D(2020, 10, 26), 9)  # sample: some days before the meeting
CONVENED_AT = _on(D(2020, 10, 26), 15)  # sample: the meeting called once the drafts are in
OPINIONS_AT = _on(D(2020, 10, 28), 10)  # sample: read before the meeting, given at it
CONCLUDED_AT = _on(MEETING_DAY, 11)
DISPOSED_AT = _on(D(2020, 10, 31), 9)  # sample: answered after the meeting, before revising
REVISED_AT = _on(D(2020, 11, 2), 9)  # sample: between the meeting and the issue
PLAN_SIGNER = "Bí thư Tỉnh ủy (minh họa)"


def load_meetings_demo() -> list[str]:
    """Load the meeting of 29/10/2020 (nothing on a second run); returns a line per change."""
    structure = Structure.objects.filter(code=STRUCTURE_2020_CODE).first()
    if structure is None:
        return []
    # The study plan is issued through the province committee's register.
    changes: list[str] = load_register_demo()
    with transaction.atomic():
        province = Unit.objects.get(structure=structure, code=PROVINCE_CODE)
        propaganda = _propaganda_board(structure, province, changes)
        board = _people(province, BOARD, changes)
        officer = _people(propaganda, (PROPAGANDA_OFFICER,), changes)[0]
        if Meeting.objects.filter(body=province, date=MEETING_DAY).exists():
            return changes
        from tinhuy.study.demo import PLAN_2020_TITLE
        from tinhuy.study.models import Plan

        if Plan.objects.filter(title=PLAN_2020_TITLE).exists():
            return changes  # issued by an older demo, without a draft: not heard again
        vinh = Unit.objects.get(structure=structure, code=VINH_CODE)
        meeting = _meeting(province, propaganda, vinh, board, officer)
        changes.append(
            f"{meeting}: {meeting.items.count()} nội dung (ý kiến, tiếp thu và việc giao minh họa)"
        )
    return changes


def propaganda_board(structure: Structure) -> Unit:
    """The Ban Tuyên giáo of the 2020 structure, made if missing: a demo persona works there."""
    province = Unit.objects.get(structure=structure, code=PROVINCE_CODE)
    return _propaganda_board(structure, province, [])


def _propaganda_board(structure: Structure, province: Unit, changes: list[str]) -> Unit:
    unit = Unit.objects.filter(structure=structure, code=PROPAGANDA_CODE).first()
    if unit is None:
        unit = do_create_unit(
            structure,
            code=PROPAGANDA_CODE,
            name=PROPAGANDA_NAME,
            level_code=PROPAGANDA_LEVEL,
            kind=UnitKind.ADVISORY,
            parent=province,
            acting_user=None,
        )
        changes.append(f"cơ quan tham mưu {unit.name}")
    return unit


def _people(unit: Unit, specs: tuple[PersonSpec, ...], changes: list[str]) -> list[Person]:
    people = []
    for spec in specs:
        person = unit.people.filter(full_name=spec.full_name).first()
        if person is None:
            person = do_add_person(
                unit,
                full_name=spec.full_name,
                position=spec.position,
                is_sample=spec.is_sample,
                acting_user=None,
            )
            changes.append(f"{person.full_name} ({unit.name})")
        people.append(person)
    return people


def _line(version: DraftVersion, starts: str, occurrence: int = 1) -> int:
    """The number of the ``occurrence``-th line of a version that starts with ``starts``."""
    found = [n for n, line in enumerate(version.lines(), start=1) if line.startswith(starts)]
    return found[occurrence - 1]


def _opinion(
    version: DraftVersion,
    author: Person,
    text: str,
    *,
    line: str | None = None,
    occurrence: int = 1,
    proposed: str = "",
) -> int:
    """A sample opinion on one line (or on the whole draft); returns its primary key."""
    number = _line(version, line, occurrence) if line is not None else None
    return do_give_opinion(
        version,
        text=text,
        line_from=number,
        line_to=number,
        proposed_text=proposed,
        author_name=author.full_name,
        is_sample=True,
        acting_user=NOBODY,
    ).pk


def _meeting(
    province: Unit, propaganda: Unit, vinh: Unit, board: list[Person], officer: Person
) -> Meeting:
    from tinhuy.study.demo import draft_plan_2020, revise_plan_2020

    secretary, hung, phuc, quyen = board[0], board[1], board[2], board[3]

    # The three drafts, each submitted once before the meeting. The Decision 827 plan is a
    # programme (tinhuy.programs.demo), written complete so that its version 1 may be submitted.
    decision_827 = do_create_programme_draft(
        build_decision_827(province),
        submitting_unit=vinh,
        issuing_unit=province,
        doc_type=DocType.KH,
        is_sample=True,
        acting_user=NOBODY,
    )
    plan = draft_plan_2020()
    study = do_create_draft(
        kind=DraftKind.STUDY_PLAN,
        title=plan.title,
        doc_type=DocType.KH,
        submitting_unit=propaganda,
        issuing_unit=province,
        plan=plan,
        is_sample=True,
        acting_user=NOBODY,
    )
    gazetteer = do_create_draft(
        kind=DraftKind.TEXT,
        title=GAZETTEER_TITLE,
        doc_type=DocType.DA,
        submitting_unit=propaganda,
        issuing_unit=province,
        text=GAZETTEER_TEXT,
        is_sample=True,
        acting_user=NOBODY,
    )
    v827 = do_submit_version(
        decision_827,
        note="Cơ quan chuẩn bị: Ban cán sự Đảng UBND tỉnh và Thành ủy Vinh.",
        at=SUBMITTED_AT,
        acting_user=NOBODY,
    )
    v_study = do_submit_version(
        study,
        note="Ban Tuyên giáo Tỉnh ủy trình (minh họa).",
        at=SUBMITTED_AT,
        acting_user=NOBODY,
    )
    v_gazetteer = do_submit_version(
        gazetteer,
        note="Ban Tuyên giáo Tỉnh ủy trình (minh họa).",
        at=SUBMITTED_AT,
        acting_user=NOBODY,
    )

    meeting = do_create_meeting(
        body=province,
        date=MEETING_DAY,
        title=MEETING_TITLE,
        presiding=secretary,
        members=[
            MemberSpec(
                person,
                present=person.full_name not in ABSENT,
                absence_reason=ABSENT.get(person.full_name, ""),
            )
            for person in board
        ],
        guests="Lãnh đạo các cơ quan tham mưu trình dự thảo (minh họa)",
        is_sample=True,
        acting_user=NOBODY,
    )
    items = [
        do_add_item(meeting, draft, acting_user=NOBODY)
        for draft in (decision_827, study, gazetteer)
    ]

    # Opinions (sample): the points the article reports the Board making, on lines of the
    # text version 1 froze from the programme (tinhuy.programs.subject.programme_text).
    _opinion(
        v827,
        phuc,
        "Các chương trình, đề án phải xác định được lộ trình, thời gian và nguồn lực thực hiện "
        "(ý kiến minh họa).",
        line="NHIỆM VỤ, LỘ TRÌNH VÀ NGUỒN LỰC",
        proposed="NHIỆM VỤ, LỘ TRÌNH, THỜI GIAN VÀ NGUỒN LỰC THỰC HIỆN",
    )
    _opinion(
        v827,
        quyen,
        "Đề nghị phân công người phụ trách cụ thể và giao Sở Kế hoạch và Đầu tư là cơ quan đầu "
        "mối theo dõi, tổng hợp (ý kiến minh họa).",
        line="Cơ quan đầu mối:",
    )
    _opinion(
        v827,
        hung,
        "Trên từng lĩnh vực cần chọn trọng tâm, trọng điểm, tính đột phá để chỉ đạo thực hiện "
        "(ý kiến minh họa).",
    )
    online = _opinion(
        v_study,
        hung,
        "Đề nghị cân nhắc tổ chức học tập, quán triệt trực tuyến từ tỉnh về đến cấp huyện và "
        "tương đương ở những nơi có điều kiện (ý kiến minh họa).",
        line="- Học trực tuyến có điểm cầu",
        proposed="- Học trực tuyến có điểm cầu: có\n- Dự tại điểm cầu: Cấp huyện và tương đương",
    )
    audience = _opinion(
        v_study,
        phuc,
        "Đề nghị làm rõ thành phần cán bộ chủ chốt cấp tỉnh và cấp huyện dự hội nghị (ý kiến "
        "minh họa).",
        line="- Đối tượng",
    )
    presenter = _opinion(
        v_study,
        quyen,
        "Đề nghị để báo cáo viên cấp trên trình bày cả kế hoạch thực hiện Nghị quyết của địa "
        "phương cho thống nhất (ý kiến minh họa).",
    )
    roadmap = _opinion(
        v_gazetteer,
        quyen,
        "Cần xác định và tính toán kỹ lộ trình, thời gian thực hiện Đề án (ý kiến minh họa).",
        line="III. TỔ CHỨC THỰC HIỆN",
    )
    digital = _opinion(
        v_gazetteer,
        phuc,
        "Cần số hóa để thuận tiện trong truy cập, tìm số liệu; hằng năm cập nhật số liệu, dữ "
        "liệu mới (ý kiến minh họa).",
        line="2. Cung cấp thông tin",
    )

    # The Secretary's conclusions (the article's) and the work they assign (sample).
    vinh_secretary = vinh.people.order_by("id").first()
    assert vinh_secretary is not None  # noqa: S101 - tinhuy.demo.SAMPLE_PEOPLE, loaded before
    do_conclude(
        items[0],
        conclusion=CONCLUSIONS[0],
        outcome=Outcome.APPROVED_AFTER_REVISION,
        at=CONCLUDED_AT,
        follow_ups=[
            FollowUpSpec(
                "Đề xuất các cơ chế, chính sách đặc thù để thành phố Vinh thực hiện các định "
                "hướng của Đề án (minh họa).",
                vinh,
                vinh_secretary,
                D(2020, 12, 31),
            )
        ],
        is_sample=True,
        acting_user=NOBODY,
    )
    do_conclude(
        items[1],
        conclusion=CONCLUSIONS[1],
        outcome=Outcome.APPROVED_AFTER_REVISION,
        at=CONCLUDED_AT,
        follow_ups=[
            FollowUpSpec(
                "Tiếp thu ý kiến Ban Thường vụ, hoàn chỉnh dự thảo Kế hoạch, trình ban hành "
                "(minh họa).",
                propaganda,
                officer,
                D(2020, 11, 5),
            )
        ],
        is_sample=True,
        acting_user=NOBODY,
    )
    do_conclude(
        items[2],
        conclusion=CONCLUSIONS[2],
        outcome=Outcome.APPROVED_AFTER_REVISION,
        at=CONCLUDED_AT,
        follow_ups=[
            FollowUpSpec(
                "Xây dựng lộ trình, thời gian thực hiện Đề án và phương án số hóa để thuận tiện "
                "truy cập, tìm số liệu (minh họa).",
                propaganda,
                officer,
                D(2021, 3, 31),
            )
        ],
        is_sample=True,
        acting_user=NOBODY,
    )

    # The submitting body's disposition table (sample), then the study plan's revised version.
    _dispose(online, DispositionKind.ACCEPTED, "Bổ sung học tập trực tuyến có điểm cầu (minh họa).")
    _dispose(
        audience,
        DispositionKind.PARTLY,
        "Thành phần cụ thể ghi trong giấy triệu tập của Văn phòng Tỉnh ủy; kế hoạch giữ cách ghi "
        "chung (minh họa).",
    )
    _dispose(
        presenter,
        DispositionKind.NOT_ACCEPTED,
        "Báo cáo viên cấp trên chỉ giới thiệu Nghị quyết và Chương trình hành động của tỉnh; kế "
        "hoạch, nhiệm vụ thực hiện Nghị quyết do Bí thư, Chủ tịch, thủ trưởng các địa phương, đơn "
        "vị triển khai (minh họa).",
    )
    _dispose(roadmap, DispositionKind.ACCEPTED, "Bổ sung ở lần trình sau (minh họa).")
    _dispose(digital, DispositionKind.ACCEPTED, "Bổ sung ở lần trình sau (minh họa).")
    revise_plan_2020(plan)
    do_submit_version(
        study,
        note="Đã tiếp thu, chỉnh sửa theo ý kiến Ban Thường vụ Tỉnh ủy (minh họa).",
        at=REVISED_AT,
        acting_user=NOBODY,
    )

    # Issued by the office with the next "KH" number of the 2020–2025 term (sample date, signer).
    entry = do_issue_draft(
        study, issued_on=PLAN_ISSUED_ON, signer_name=PLAN_SIGNER, acting_user=NOBODY
    )
    for follow_up in items[1].follow_ups.all():
        do_close_follow_up(
            follow_up,
            at=_on(PLAN_ISSUED_ON, 16),
            note=f"Kế hoạch đã ban hành, số {entry.symbol} ngày "
            f"{PLAN_ISSUED_ON:%d/%m/%Y} (minh họa).",
            acting_user=NOBODY,
        )
    _date_the_story(meeting, [decision_827, study, gazetteer], entry.pk)
    return meeting


def _date_the_story(meeting: Meeting, drafts: list[Draft], entry_id: int) -> None:
    """The moments the actions stamped at the load, put where the 2020 story has them (sample
    rows only; the audit log keeps when the demo was loaded)."""
    from tinhuy.register.models import RegisterEntry

    Draft.objects.filter(pk__in=[d.pk for d in drafts]).update(created_at=WRITTEN_AT)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=CONVENED_AT)
    Opinion.objects.filter(version__draft__in=drafts, version__number=1).update(
        created_at=OPINIONS_AT
    )
    Disposition.objects.filter(opinion__version__draft__in=drafts).update(decided_at=DISPOSED_AT)
    FollowUp.objects.filter(item__meeting=meeting).update(created_at=CONCLUDED_AT)
    RegisterEntry.objects.filter(pk=entry_id).update(created_at=_on(PLAN_ISSUED_ON, 10))


def _dispose(opinion_id: int, kind: str, explanation: str) -> None:
    do_dispose(
        Opinion.objects.select_related("version__draft").get(pk=opinion_id),
        kind=kind,
        explanation=explanation,
        acting_user=NOBODY,
    )


def demo_meeting() -> Meeting | None:
    """The demo's meeting, if loaded."""
    return Meeting.objects.filter(
        body__structure__code=STRUCTURE_2020_CODE, body__code=PROVINCE_CODE, date=MEETING_DAY
    ).first()


def demo_items() -> list[AgendaItem]:
    meeting = demo_meeting()
    return list(meeting.items.order_by("order")) if meeting is not None else []


def demo_study_draft() -> Draft | None:
    from tinhuy.study.demo import PLAN_2020_TITLE

    return Draft.objects.filter(plan__title=PLAN_2020_TITLE).first()
