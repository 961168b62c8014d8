"""The plan's rules, one pure function at a time, case by case."""

import datetime

import pytest

from tinhuy.study import compliance as c

D = datetime.date
RULE = c.RuleFacts(
    level_id=2, length_sessions=2, window_start=D(2020, 11, 1), deadline=D(2020, 12, 30),
    online_allowed=False, presenter_rule=True,
)  # fmt: skip
PROVINCE, DISTRICT, OTHER_DISTRICT = "/1/", "/1/5/", "/1/6/"


def seg(kind: str, role: str, unit_path: str, topic: int | None = None) -> c.SegmentFacts:
    return c.SegmentFacts(topic, kind, "Nguyễn Văn A", role, unit_path)


def conf(
    day: D, *, sessions: int = 2, segments=(), host: str = DISTRICT, id: int = 1
) -> c.ConferenceFacts:
    return c.ConferenceFacts(id, host, day, sessions, "in_person", tuple(segments))


@pytest.mark.parametrize(
    ("held", "scheduled", "as_of", "status"),
    [
        (None, None, D(2020, 12, 1), c.Status.NOT_SCHEDULED),
        (None, D(2020, 12, 20), D(2020, 12, 1), c.Status.SCHEDULED),
        (D(2020, 12, 20), None, D(2020, 12, 21), c.Status.HELD_ON_TIME),
        (D(2020, 12, 30), None, D(2020, 12, 30), c.Status.HELD_ON_TIME),  # the deadline day counts
        (D(2020, 12, 31), None, D(2021, 1, 2), c.Status.HELD_LATE),
        (None, None, D(2020, 12, 31), c.Status.MISSING),
        (
            None,
            D(2021, 1, 10),
            D(2020, 12, 31),
            c.Status.MISSING,
        ),  # scheduled too late: missing until held
    ],
)
def test_timing_status(held, scheduled, as_of, status) -> None:
    assert c.timing_status(held, scheduled, RULE.deadline, as_of) == status


def test_length_meets_the_rule_or_says_by_how_much_it_falls_short() -> None:
    assert c.length_problems(conf(D(2020, 12, 1), sessions=2), RULE) == []
    assert c.length_problems(conf(D(2020, 12, 1), sessions=3), RULE) == []
    [problem] = c.length_problems(conf(D(2020, 12, 1), sessions=1), RULE)
    assert "1 buổi" in problem and "2 buổi" in problem


def test_higher_level_presenter_may_present_the_resolution_and_action_programme() -> None:
    conference = conf(D(2020, 12, 1), segments=[
        seg("resolution", "reporter", PROVINCE, topic=1),
        seg("action_programme", "reporter", PROVINCE),
        seg("own_plan", "secretary", DISTRICT),
    ])  # fmt: skip
    assert c.presenter_problems(conference, RULE) == []


def test_own_plan_presented_by_a_higher_level_presenter_breaks_the_rule() -> None:
    conference = conf(D(2020, 12, 1), segments=[seg("own_plan", "reporter", PROVINCE)])
    [problem] = c.presenter_problems(conference, RULE)
    assert "Bí thư, Chủ tịch hoặc thủ trưởng" in problem


@pytest.mark.parametrize("role", ["secretary", "chair", "head"])
def test_own_plan_may_be_presented_by_the_units_secretary_chair_or_head(role) -> None:
    conference = conf(D(2020, 12, 1), segments=[seg("own_plan", role, DISTRICT)])
    assert c.presenter_problems(conference, RULE) == []


@pytest.mark.parametrize("role", ["deputy_secretary", "reporter", "other"])
def test_own_plan_by_anyone_else_of_the_unit_breaks_the_rule(role) -> None:
    conference = conf(D(2020, 12, 1), segments=[seg("own_plan", role, DISTRICT)])
    assert len(c.presenter_problems(conference, RULE)) == 1


def test_presenter_from_an_unrelated_unit_breaks_the_rule() -> None:
    conference = conf(D(2020, 12, 1), segments=[seg("resolution", "reporter", OTHER_DISTRICT)])
    assert len(c.presenter_problems(conference, RULE)) == 1


def test_presenter_rule_can_be_switched_off_per_level() -> None:
    rule = c.RuleFacts(2, 2, D(2020, 11, 1), D(2020, 12, 30), False, presenter_rule=False)
    conference = conf(D(2020, 12, 1), segments=[seg("own_plan", "reporter", PROVINCE)])
    assert c.presenter_problems(conference, rule) == []


def test_all_topics_must_be_covered_across_the_units_conferences() -> None:
    first = conf(D(2020, 12, 1), segments=[seg("resolution", "reporter", PROVINCE, topic=1)])
    second = conf(D(2020, 12, 2), segments=[seg("resolution", "reporter", PROVINCE, topic=2)], id=2)
    assert c.topic_problems([first], [1, 2]) != []
    assert c.topic_problems([first, second], [1, 2]) == []


def test_bridge_points_are_allowed_only_where_online_study_is() -> None:
    conference = conf(D(2020, 12, 1))
    assert c.mode_problems(conference, RULE, bridge_points=0) == []
    assert len(c.mode_problems(conference, RULE, bridge_points=3)) == 1
    online = c.RuleFacts(1, 2, D(2020, 11, 1), D(2020, 11, 30), True, True)
    assert c.mode_problems(conference, online, bridge_points=3) == []
    # Registered online or hybrid, its bridge points not listed yet: already against the rule.
    for mode in ("online", "hybrid"):
        remote = conference._replace(mode=mode)
        assert len(c.mode_problems(remote, RULE, bridge_points=0)) == 1
        assert c.mode_problems(remote, online, bridge_points=0) == []


def test_coverage_counts_attended_and_made_up_over_expected() -> None:
    assert c.People(expected=40, attended=30, made_up=6).coverage == pytest.approx(0.9)
    assert c.People().coverage is None
    assert (c.People(10, 8, 1) + c.People(30, 30, 0)) == c.People(40, 38, 1)


def good_segments(host: str = DISTRICT) -> list[c.SegmentFacts]:
    return [
        seg("resolution", "reporter", PROVINCE, topic=1),
        seg("resolution", "reporter", PROVINCE, topic=2),
        seg("own_plan", "secretary", host),
    ]


PEOPLE = c.People(100, 90, 5)


def evaluate(conferences, as_of, people=PEOPLE, reported=(1,)) -> c.UnitProgress:
    return c.evaluate_host(
        5, DISTRICT, RULE, conferences, topic_ids=[1, 2], bridge_counts={},
        reported_ids=set(reported), people=people, as_of=as_of,
    )  # fmt: skip


def test_host_held_on_time_reported_and_compliant() -> None:
    progress = evaluate([conf(D(2020, 12, 10), segments=good_segments())], D(2021, 1, 15))
    assert progress.status == c.Status.HELD_ON_TIME
    assert progress.reported and not progress.non_compliant
    assert progress.people.coverage == pytest.approx(0.95)


def test_host_conference_in_the_future_is_scheduled_and_counts_no_people() -> None:
    progress = evaluate([conf(D(2020, 12, 10), segments=good_segments())], D(2020, 12, 1))
    assert progress.status == c.Status.SCHEDULED
    assert progress.conference_id is None and not progress.reported


def test_host_held_but_not_yet_reported() -> None:
    progress = evaluate(
        [conf(D(2020, 12, 10), segments=good_segments())], D(2020, 12, 11), reported=()
    )
    assert progress.status == c.Status.HELD_ON_TIME and not progress.reported


def test_host_collects_every_problem_of_its_held_conferences() -> None:
    bad = conf(D(2020, 12, 10), sessions=1, segments=[seg("own_plan", "reporter", PROVINCE)])
    progress = evaluate([bad], D(2021, 1, 15))
    assert progress.non_compliant
    assert len(progress.problems) == 3  # length, presenter, topics


def test_participant_is_covered_by_a_bridge_point_of_a_higher_conference() -> None:
    province_conference = conf(D(2020, 11, 17), host=PROVINCE)
    progress = c.evaluate_participant(
        5, DISTRICT, RULE, [(province_conference, c.People(40, 38), True)], as_of=D(2020, 12, 1)
    )
    assert progress.status == c.Status.HELD_ON_TIME and progress.role == "participant"
    assert progress.people == c.People(40, 38)


def test_participant_attendance_counts_only_once_the_conference_is_reported() -> None:
    province_conference = conf(D(2020, 11, 17), host=PROVINCE)
    progress = c.evaluate_participant(
        5, DISTRICT, RULE, [(province_conference, c.People(40, 38), False)], as_of=D(2020, 12, 1)
    )
    assert progress.people == c.People(expected=40)


def test_participant_without_a_bridge_point_goes_missing_after_the_deadline() -> None:
    assert (
        c.evaluate_participant(5, DISTRICT, RULE, [], as_of=D(2020, 12, 1)).status
        == c.Status.NOT_SCHEDULED
    )
    assert (
        c.evaluate_participant(5, DISTRICT, RULE, [], as_of=D(2021, 1, 1)).status
        == c.Status.MISSING
    )


def test_roll_up_totals_per_level_in_order() -> None:
    a = c.UnitProgress(
        1, "/1/", 1, "host", c.Status.HELD_ON_TIME, reported=True, people=c.People(10, 9)
    )
    b = c.UnitProgress(2, "/1/2/", 2, "host", c.Status.MISSING)
    d = c.UnitProgress(
        3, "/1/3/", 2, "host", c.Status.HELD_LATE, people=c.People(5, 5), problems=["x"]
    )
    province, district = c.roll_up([a, b, d], [1, 2])
    assert (province.units, province.reported, province.people) == (1, 1, c.People(10, 9))
    assert district.units == 2 and district.non_compliant == 1
    assert district.by_status[c.Status.MISSING] == 1 and district.by_status[c.Status.HELD_LATE] == 1


# --- a unit's conferences judged together --------------------------------------------------


def online_with_bridges(day: D, id: int) -> c.ConferenceFacts:
    return conf(day, segments=good_segments(), id=id)


def test_a_later_faulty_conference_does_not_undo_a_compliant_one() -> None:
    """Vinh's case: compliant on 23/12/2020, then a second conference on 28/12/2020 online with
    a bridge point, which the district level does not allow. The unit stays compliant; the
    fault is noted on the second conference."""
    good = conf(D(2020, 12, 23), segments=good_segments(), id=1)
    later = online_with_bridges(D(2020, 12, 28), id=2)
    progress = c.evaluate_host(
        5, DISTRICT, RULE, [good, later], topic_ids=[1, 2], bridge_counts={2: 1},
        reported_ids={1}, people=PEOPLE, as_of=D(2021, 2, 1),
    )  # fmt: skip
    assert progress.status == c.Status.HELD_ON_TIME
    assert not progress.non_compliant and progress.problems == []
    assert (progress.conference_id, progress.held_on) == (1, D(2020, 12, 23))
    [note] = progress.notes
    assert note.startswith("Hội nghị ngày 28/12/2020")
    assert "không được phép học trực tuyến có điểm cầu" in note


def test_an_earlier_faulty_conference_is_made_good_by_a_compliant_one_before_the_deadline() -> None:
    faulty = conf(D(2020, 12, 5), sessions=1, segments=good_segments(), id=1)
    good = conf(D(2020, 12, 20), segments=good_segments(), id=2)
    progress = evaluate([faulty, good], D(2021, 1, 15))
    assert progress.status == c.Status.HELD_ON_TIME and not progress.non_compliant
    assert (progress.conference_id, progress.held_on) == (2, D(2020, 12, 20))
    assert len(progress.notes) == 1 and "05/12/2020" in progress.notes[0]


def test_a_compliant_conference_after_the_deadline_satisfies_the_plan_late() -> None:
    faulty = conf(D(2020, 12, 5), sessions=1, segments=good_segments(), id=1)
    good = conf(D(2021, 1, 6), segments=good_segments(), id=2)
    progress = evaluate([faulty, good], D(2021, 1, 15))
    assert progress.status == c.Status.HELD_LATE and not progress.non_compliant
    assert progress.held_on == D(2021, 1, 6)
    # Before the remedy, the faulty conference is what the unit has: on time, not compliant.
    before = evaluate([faulty, good], D(2020, 12, 31))
    assert before.status == c.Status.HELD_ON_TIME and before.non_compliant
    assert before.notes == []


def test_compliant_conferences_may_share_the_topics_between_them() -> None:
    first = conf(D(2020, 12, 5), id=1, segments=[
        seg("resolution", "reporter", PROVINCE, topic=1), seg("own_plan", "secretary", DISTRICT),
    ])  # fmt: skip
    second = conf(D(2020, 12, 12), id=2, segments=[seg("resolution", "reporter", PROVINCE, 2)])
    after_first = evaluate([first, second], D(2020, 12, 6))
    assert after_first.non_compliant  # topic 2 still missing
    both = evaluate([first, second], D(2020, 12, 13))
    assert both.status == c.Status.HELD_ON_TIME and not both.non_compliant
    assert both.held_on == D(2020, 12, 12)  # the plan was satisfied that day


def test_only_faulty_conferences_keep_every_problem_on_the_unit() -> None:
    a = conf(D(2020, 12, 5), sessions=1, segments=good_segments(), id=1)
    b = conf(D(2020, 12, 9), segments=[seg("own_plan", "reporter", PROVINCE)], id=2)
    progress = evaluate([a, b], D(2021, 1, 15))
    assert progress.status == c.Status.HELD_ON_TIME and progress.held_on == D(2020, 12, 5)
    assert len(progress.problems) == 2  # a's length, b's presenter; the topics are covered
    assert progress.notes == []


def test_roll_up_counts_units_whose_people_are_unknown() -> None:
    known = c.UnitProgress(1, "/1/2/", 2, "host", c.Status.MISSING, people=c.People(40))
    known.expected_source = c.ExpectedSource.HEADCOUNT
    unknown = c.UnitProgress(2, "/1/3/", 2, "host", c.Status.MISSING)
    unknown.expected_source = c.ExpectedSource.UNKNOWN
    [district] = c.roll_up([known, unknown], [2])
    assert (district.units, district.unknown, district.people) == (2, 1, c.People(40))
    assert district.people.coverage == 0
