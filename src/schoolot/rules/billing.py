"""Billing units for school-based occupational therapy (Medicaid / CPT), as pure rules.

Sources:
- Medicare Claims Processing Manual, Pub. 100-04, chapter 5, section 20.2 ("Reporting of
  Service Units With HCPCS"): the 8-minute rule for 15-minute timed codes. Many state Medicaid
  programs adopt it; others count each code on its own, so the method is a setting.
- CPT descriptors: codes described "each 15 minutes" are timed; evaluation codes 97165-97168
  and group therapy 97150 are untimed (one unit per service; 97150 one unit per participant).

All minutes here are the minutes of direct, one-on-one timed service for ONE student, on ONE
day, by ONE provider: the unit of the 8-minute rule. Minutes of untimed services never count
toward the timed total (Pub. 100-04, ch. 5, §20.2).
"""

from __future__ import annotations

from collections.abc import Sequence

#: Timed CPT codes ("each 15 minutes") a school therapy program may bill. The OT codes of
#: DOMAIN.md section 4 plus the other 15-minute rehabilitation codes used in the manual's own
#: examples (97116 gait training, 97140 manual therapy, 97035 ultrasound) and a few more
#: "each 15 minutes" codes OTs use (97032, 97537, 97542, 97750, 97760, 97761, 97763).
TIMED_CODES: frozenset[str] = frozenset(
    {
        "97032",  # electrical stimulation, attended, each 15 minutes
        "97035",  # ultrasound, each 15 minutes
        "97110",  # therapeutic exercise
        "97112",  # neuromuscular re-education
        "97116",  # gait training
        "97140",  # manual therapy techniques
        "97530",  # therapeutic activities
        "97533",  # sensory integrative techniques
        "97535",  # self-care / home management training
        "97537",  # community / work reintegration training
        "97542",  # wheelchair management
        "97750",  # physical performance test or measurement
        "97760",  # orthotic management and training, initial encounter
        "97761",  # prosthetic training, initial encounter
        "97763",  # orthotic/prosthetic management, subsequent encounter
    }
)

#: Untimed codes: one unit per service, whatever its length (97150: per participant).
UNTIMED_CODES: frozenset[str] = frozenset(
    {
        "97165",  # OT evaluation, low complexity
        "97166",  # OT evaluation, moderate complexity
        "97167",  # OT evaluation, high complexity
        "97168",  # OT re-evaluation
        "97150",  # therapeutic procedure(s), group (2 or more individuals)
    }
)

#: The three complexity levels of one initial OT evaluation: at most one a day.
EVALUATION_CODES: frozenset[str] = frozenset({"97165", "97166", "97167"})

GROUP_CODE = "97150"

METHODS: frozenset[str] = frozenset({"cms8", "per_code"})

UNIT_MINUTES = 15
MINIMUM_MINUTES = 8


def units_for_minutes(minutes: int) -> int:
    """Units for a number of timed minutes under the 8-minute chart.

    Contract: 0-7 minutes = 0 units, 8-22 = 1, 23-37 = 2, 38-52 = 3, and each further 15
    minutes one more unit; i.e. ``(minutes + 7) // 15``. Negative or non-integer minutes raise
    ValueError. Source: Pub. 100-04, ch. 5, §20.2, the time-interval chart.
    """
    _check_minutes("minutes", minutes)
    return (minutes + UNIT_MINUTES - MINIMUM_MINUTES) // UNIT_MINUTES


def timed_units(
    minutes_by_code: dict[str, int],
    method: str = "cms8",
    *,
    prefer: Sequence[str] = (),
) -> dict[str, int]:
    """Units per timed code for one student's day of service.

    Contract: returns a dict with every input code as key (0 units where none is billable).

    ``method="cms8"`` (Pub. 100-04, ch. 5, §20.2): the total of all timed minutes decides the
    total units (see ``units_for_minutes``). Units are then assigned: first each code gets its
    full 15-minute units (``minutes // 15``); the units still left go one each to the codes
    with the largest remaining minutes (``minutes % 15``). The arithmetic guarantees no code
    gets more than one of these leftover units. Ties on remaining minutes are broken, in
    order, by (1) more total minutes for the code (the manual: "assign more timed code units to
    the service that took the most time"), (2) the order of ``prefer`` (the therapist's
    clinical choice: the manual leaves equal cases to the qualified professional), (3) the
    code's number, ascending. So the result never depends on the dict's order.

    ``method="per_code"``: each code on its own through the same chart (payers that do not
    total the minutes of the day).

    Raises ValueError for an unknown method, an unknown code, an untimed code (use
    ``session_units``), or minutes that are negative or not integers.
    """
    _check_method(method)
    for code, minutes in minutes_by_code.items():
        _check_code(code)
        if code not in TIMED_CODES:
            raise ValueError(
                f"{code} is an untimed code: it is billed per service, not by minutes;"
                " use session_units() for a day that mixes timed and untimed codes."
            )
        _check_minutes(f"minutes for {code}", minutes)
    for code in prefer:
        _check_code(code)

    if method == "per_code":
        return {code: units_for_minutes(minutes) for code, minutes in minutes_by_code.items()}

    total = units_for_minutes(sum(minutes_by_code.values()))
    units = {code: minutes // UNIT_MINUTES for code, minutes in minutes_by_code.items()}
    left = total - sum(units.values())
    rank = {code: i for i, code in enumerate(prefer)}

    def order(code: str) -> tuple[int, int, int, str]:
        minutes = minutes_by_code[code]
        return (-(minutes % UNIT_MINUTES), -minutes, rank.get(code, len(rank)), code)

    candidates = sorted((c for c, m in minutes_by_code.items() if m % UNIT_MINUTES), key=order)
    for code in candidates[:left]:
        units[code] += 1
    return units


def session_units(
    minutes_by_code: dict[str, int],
    method: str = "cms8",
    *,
    prefer: Sequence[str] = (),
) -> dict[str, int]:
    """Units per code for one student's day when the day mixes timed and untimed codes.

    Contract: timed codes go through ``timed_units`` (same ``method`` and ``prefer``) using
    only the timed minutes; each untimed code with more than 0 minutes is one unit (one
    service), with 0 minutes no unit; untimed minutes never count toward the timed total.
    97150 (group) is one unit for this participant: for the whole group use ``group_units``.
    At most one of the initial evaluation codes 97165/97166/97167 a day (they are complexity
    levels of one evaluation). Raises ValueError as ``timed_units`` does, and for two
    evaluation complexity levels on one day.
    Sources: Pub. 100-04, ch. 5, §20.2 (untimed codes are billed per service and their minutes
    are not counted toward timed units); CPT descriptors of 97150 and 97165-97168.
    """
    _check_method(method)
    for code, minutes in minutes_by_code.items():
        _check_code(code)
        _check_minutes(f"minutes for {code}", minutes)
    evaluations = sorted(c for c in EVALUATION_CODES if minutes_by_code.get(c, 0) > 0)
    if len(evaluations) > 1:
        raise ValueError(
            f"Codes {', '.join(evaluations)} are complexity levels of one initial evaluation:"
            " bill only one of them for a day."
        )
    timed = {c: m for c, m in minutes_by_code.items() if c in TIMED_CODES}
    result = timed_units(timed, method, prefer=[c for c in prefer if c in TIMED_CODES])
    for code, minutes in minutes_by_code.items():
        if code in UNTIMED_CODES:
            result[code] = 1 if minutes > 0 else 0
    return {code: result[code] for code in minutes_by_code}


def group_units(*, participants: int, sessions: int = 1) -> int:
    """Units of 97150 (group therapy) a provider bills for a group: one per participant per session.

    Contract: ``participants * sessions``. The code describes "2 or more individuals", so fewer
    than 2 participants raises ValueError (bill an individual code instead); sessions must be
    at least 1. Source: CPT 97150 descriptor; DOMAIN.md section 4.
    """
    if isinstance(participants, bool) or not isinstance(participants, int):
        raise ValueError(f"participants must be an integer, got {participants!r}.")
    if isinstance(sessions, bool) or not isinstance(sessions, int):
        raise ValueError(f"sessions must be an integer, got {sessions!r}.")
    if participants < 2:
        raise ValueError(
            f"97150 is group therapy for 2 or more students; got {participants} participant(s)."
        )
    if sessions < 1:
        raise ValueError(f"sessions must be at least 1, got {sessions}.")
    return participants * sessions


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(
            f"Unknown unit method {method!r}: use 'cms8' (8-minute rule on the day's total)"
            " or 'per_code' (each code on its own)."
        )


def _check_code(code: str) -> None:
    if code not in TIMED_CODES and code not in UNTIMED_CODES:
        raise ValueError(
            f"Unknown CPT code {code!r}: known timed codes are {', '.join(sorted(TIMED_CODES))};"
            f" untimed codes are {', '.join(sorted(UNTIMED_CODES))}."
        )


def _check_minutes(label: str, minutes: object) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValueError(f"{label} must be a whole number of minutes, got {minutes!r}.")
    if minutes < 0:
        raise ValueError(f"{label} cannot be negative, got {minutes}.")


__all__ = [
    "EVALUATION_CODES",
    "GROUP_CODE",
    "METHODS",
    "TIMED_CODES",
    "UNTIMED_CODES",
    "group_units",
    "session_units",
    "timed_units",
    "units_for_minutes",
]
