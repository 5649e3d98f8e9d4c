"""A deterministic synthetic district: schools, calendar, staff, students, plans, families.

`district_seed(size=..., seed=..., today=...)` gives the same district for the same arguments.
Rows are written with bulk inserts so the `large` size (10,000 students) takes minutes.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from schoolot.accounts.models import Role, User
from schoolot.directory import demo_content as words
from schoolot.directory.models import (
    CalendarEvent,
    CaseloadAssignment,
    District,
    Enrollment,
    Guardian,
    ReportingPeriod,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
)
from schoolot.plans.models import (
    Accommodation,
    Goal,
    Plan,
    ServiceMandate,
    TeamMember,
)

DEMO_PASSWORD = "schoolot-demo"  # noqa: S105 - printed for the synthetic demo district only


@dataclass(frozen=True)
class Size:
    schools: int
    therapists: int
    students: int
    supervisors: int


SIZES = {
    "small": Size(schools=3, therapists=2, students=60, supervisors=1),
    "medium": Size(schools=12, therapists=10, students=500, supervisors=1),
    "large": Size(schools=150, therapists=200, students=10_000, supervisors=16),
}

DEMO_LOGINS = [
    ("admin", Role.DISTRICT_ADMIN, "District administrator"),
    ("supervisor", Role.SUPERVISOR, "OT supervisor"),
    ("therapist", Role.THERAPIST, "Occupational therapist (OTR/L)"),
    ("cota", Role.THERAPIST, "Certified OT assistant (COTA/L)"),
    ("teacher", Role.TEACHER, "Teacher"),
    ("parent", Role.PARENT, "Parent"),
]

GRADES_BY_BAND = {
    School.GradeBand.ELEMENTARY: ["K", "1", "2", "3", "4", "5"],
    School.GradeBand.MIDDLE: ["6", "7", "8"],
    School.GradeBand.HIGH: ["9", "10", "11", "12"],
}
BELLS = {
    School.GradeBand.ELEMENTARY: (dt.time(7, 50), dt.time(14, 50)),
    School.GradeBand.MIDDLE: (dt.time(8, 30), dt.time(15, 30)),
    School.GradeBand.HIGH: (dt.time(7, 15), dt.time(14, 20)),
}


def school_year_bounds(today: dt.date) -> tuple[int, int]:
    """The (fall, spring) calendar years of the school year that `today` falls in."""
    fall = today.year if today.month >= 7 else today.year - 1
    return fall, fall + 1


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    day = dt.date(year, month, 1)
    day += dt.timedelta(days=(weekday - day.weekday()) % 7)
    return day + dt.timedelta(weeks=n - 1)


class _Builder:
    def __init__(self, *, size: Size, seed: int, today: dt.date, name: str):
        self.size = size
        self.rng = random.Random(seed)
        self.today = today
        self.name = name
        self.password = make_password(DEMO_PASSWORD)
        self.local_ids = iter(range(100_000, 10_000_000))
        self.usernames: set[str] = set()

    # -- people -----------------------------------------------------------------------------

    def username(self, first: str, last: str) -> str:
        base = f"{first[0]}{last}".lower().replace(" ", "").replace("'", "")
        name, n = base, 1
        while name in self.usernames:
            n += 1
            name = f"{base}{n}"
        self.usernames.add(name)
        return name

    def user(self, *, role: str, first: str, last: str, username: str | None = None) -> User:
        username = username or self.username(first, last)
        self.usernames.add(username)
        return User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            role=role,
            district=self.district,
            password=self.password,
            is_staff=role == Role.DISTRICT_ADMIN,
        )

    def cover_otr(self) -> None:
        """Where the district has one OTR (the small demo), a contract OTR with no caseload
        who serves every school: someone to move students to, or to cover a leave. Seeded
        last and without the random source, so the rest of the district stays as it was."""
        if len(self.otrs) != 1:
            return
        user = self.user(role=Role.THERAPIST, first="Lena", last="Ortiz")
        user.save()
        supervisor = self.otrs[0].supervisor
        cover = Staff.objects.create(
            district=self.district,
            user=user,
            credential=Staff.Credential.OTR,
            title="Contract occupational therapist (leave cover)",
            fte=1,
            is_contractor=True,
            supervisor=supervisor,
            phone="555-0150",
        )
        cover.schools.set(self.school_list)

    def adult_name(self) -> tuple[str, str]:
        return self.rng.choice(words.ADULT_FIRST_NAMES), self.rng.choice(words.LAST_NAMES)

    # -- the district -----------------------------------------------------------------------

    def build(self) -> District:
        rng = self.rng
        self.district = District.objects.create(
            name=self.name, state="TX", time_zone="America/Chicago", timeline_profile="TX"
        )
        self.calendar()
        self.schools()
        self.school_closures()
        self.staff()
        self.students()
        self.classes()
        self.plans()
        self.guardians()
        del rng
        return self.district

    def calendar(self) -> None:
        """This school year and the next (due dates counted in school days run into it)."""
        fall, _ = school_year_bounds(self.today)
        self.year = self._school_year(fall)
        self._school_year(fall + 1)

    def _school_year(self, fall: int) -> SchoolYear:
        d = self.district
        spring = fall + 1
        first = _nth_weekday(fall, 8, 0, 3)  # third Monday of August
        last = _nth_weekday(spring, 5, 4, 4)  # fourth Friday of May
        year = SchoolYear.objects.create(
            district=d, name=f"{fall}-{str(spring)[2:]}", first_day=first, last_day=last
        )
        labor_day = _nth_weekday(fall, 9, 0, 1)
        thanksgiving = _nth_weekday(fall, 11, 3, 4)
        winter_start = dt.date(fall, 12, 21)
        winter_start -= dt.timedelta(days=winter_start.weekday())  # the Monday of that week
        mlk = _nth_weekday(spring, 1, 0, 3)
        presidents = _nth_weekday(spring, 2, 0, 3)
        spring_break = _nth_weekday(spring, 3, 0, 2)
        events = [
            ("holiday", "Labor Day", labor_day, labor_day),
            ("staff_day", "Staff development day", dt.date(fall, 10, 12), dt.date(fall, 10, 12)),
            ("break", "Thanksgiving break", thanksgiving - dt.timedelta(days=3),
             thanksgiving + dt.timedelta(days=1)),
            ("break", "Winter break", winter_start, winter_start + dt.timedelta(days=11)),
            ("holiday", "Martin Luther King Jr. Day", mlk, mlk),
            ("holiday", "Presidents' Day", presidents, presidents),
            ("break", "Spring break", spring_break, spring_break + dt.timedelta(days=4)),
            ("closure", "Weather closure", dt.date(spring, 2, 10), dt.date(spring, 2, 10)),
        ]
        CalendarEvent.objects.bulk_create(
            CalendarEvent(district=d, school_year=year, kind=k, name=n, start_date=s, end_date=e)
            for k, n, s, e in events
        )
        # Four nine-week grading periods, split at roughly equal numbers of weeks.
        span = (last - first).days
        bounds = [first + dt.timedelta(days=round(span * i / 4)) for i in range(5)]
        ReportingPeriod.objects.bulk_create(
            ReportingPeriod(
                district=d,
                school_year=year,
                name=f"Quarter {i + 1}",
                start_date=bounds[i] if i == 0 else bounds[i] + dt.timedelta(days=1),
                end_date=bounds[i + 1],
            )
            for i in range(4)
        )
        return year

    def schools(self) -> None:
        n = self.size.schools
        bands = []
        for i in range(n):
            # Roughly 70% elementary, 20% middle, 10% high: where most OT caseloads are.
            r = i % 10
            bands.append(
                School.GradeBand.ELEMENTARY
                if r < 7
                else School.GradeBand.MIDDLE
                if r < 9
                else School.GradeBand.HIGH
            )
        if n >= 2:
            bands[1] = School.GradeBand.MIDDLE
        suffix = {
            School.GradeBand.ELEMENTARY: "Elementary",
            School.GradeBand.MIDDLE: "Middle School",
            School.GradeBand.HIGH: "High School",
        }
        schools = []
        # Synthetic locations near (40 N, 75 W): a grid about 2 km apart walked row by row,
        # back and forth, so schools next in the list are neighbours (a therapist covers a run
        # of them); a little jitter, from its own random stream so the rest of the seed does
        # not change with it.
        places = random.Random(f"school-locations-{len(bands)}")
        columns = math.ceil(len(bands) ** 0.5)
        for i, band in enumerate(bands):
            row, column = divmod(i, columns)
            if row % 2:
                column = columns - 1 - column
            x_km = 2.0 * column + places.uniform(-0.6, 0.6)
            y_km = 2.0 * row + places.uniform(-0.6, 0.6)
            base = words.SCHOOL_NAMES[i % len(words.SCHOOL_NAMES)]
            name = f"{base} {suffix[band]}"
            if i >= len(words.SCHOOL_NAMES):
                name += f" {i // len(words.SCHOOL_NAMES) + 1}"
            start, end = BELLS[band]
            schools.append(
                School(
                    district=self.district,
                    name=name,
                    grade_band=band,
                    address=f"{self.rng.randint(100, 9800)} {self.rng.choice(words.STREETS)}",
                    day_start=start,
                    day_end=end,
                    latitude=round(40.0 + y_km / 111.195, 5),
                    longitude=round(-75.0 + x_km / (111.195 * math.cos(math.radians(40.0))), 5),
                )
            )
        self.school_list = School.objects.bulk_create(schools)

    def school_closures(self) -> None:
        """Days one school is closed while the others are open: a building that is a polling
        place on Election Day, a water main break two weeks ago, and repairs two school
        days from today (so the demo's pages show one ahead)."""
        year, schools = self.year, self.school_list
        calendar = year.calendar()

        def school_day(on: dt.date) -> dt.date | None:
            days = calendar.instructional_days(start=on)
            return days[0] if days else None

        election = _nth_weekday(year.first_day.year, 11, 0, 1) + dt.timedelta(days=1)
        ahead = calendar.instructional_days(start=self.today + dt.timedelta(days=1))[1:2]
        closures = [
            (schools[-1], "Closed for Election Day (polling place)", school_day(election)),
            (
                schools[1 % len(schools)],
                "Water main break",
                school_day(self.today - dt.timedelta(days=16)),
            ),
            (schools[0], "HVAC repairs (no students)", ahead[0] if ahead else None),
        ]
        CalendarEvent.objects.bulk_create(
            CalendarEvent(
                district=self.district,
                school_year=year,
                school=school,
                kind=CalendarEvent.Kind.CLOSURE,
                name=name,
                start_date=on,
                end_date=on,
            )
            for school, name, on in closures
            if on is not None and year.first_day <= on <= year.last_day
        )

    def staff(self) -> None:
        size, rng, d = self.size, self.rng, self.district
        users: list[User] = []
        plan: list[tuple[str, str]] = []  # (kind, credential) aligned with users

        def add(role, first, last, kind, credential, username=None):
            users.append(self.user(role=role, first=first, last=last, username=username))
            plan.append((kind, credential))

        add(Role.DISTRICT_ADMIN, "Dana", "Whitfield", "admin", Staff.Credential.ADMIN, "admin")
        for i in range(size.supervisors):
            first, last = ("Grace", "Okafor") if i == 0 else self.adult_name()
            add(Role.SUPERVISOR, first, last, "supervisor", Staff.Credential.OTR,
                "supervisor" if i == 0 else None)
        # About one in five therapists is a COTA/L; the first two are the demo logins.
        for i in range(size.therapists):
            if i == 0:
                add(Role.THERAPIST, "Rosa", "Delgado", "otr", Staff.Credential.OTR, "therapist")
            elif i == 1 and size.therapists >= 2:
                add(Role.THERAPIST, "Ben", "Carver", "cota", Staff.Credential.COTA, "cota")
            else:
                first, last = self.adult_name()
                credential = Staff.Credential.COTA if i % 5 == 1 else Staff.Credential.OTR
                add(Role.THERAPIST, first, last, "cota" if credential == "COTA/L" else "otr",
                    credential)
        User.objects.bulk_create(users)
        staff = Staff.objects.bulk_create(
            Staff(
                district=d,
                user=u,
                credential=cred,
                title={
                    "admin": "Director of Special Education",
                    "supervisor": "OT Supervisor",
                    "otr": "Occupational Therapist",
                    "cota": "Certified Occupational Therapy Assistant",
                }[kind],
                fte=1,
                is_contractor=kind == "otr" and rng.random() < 0.15,
                phone=f"555-01{rng.randint(10, 99)}",
            )
            for u, (kind, cred) in zip(users, plan, strict=True)
        )
        supervisors = [s for s, (k, _) in zip(staff, plan, strict=True) if k == "supervisor"]
        self.otrs = [s for s, (k, _) in zip(staff, plan, strict=True) if k == "otr"]
        self.cotas = [s for s, (k, _) in zip(staff, plan, strict=True) if k == "cota"]
        self.therapists = [s for s, (k, _) in zip(staff, plan, strict=True) if k in {"otr", "cota"}]
        for i, t in enumerate(self.therapists):
            t.supervisor = supervisors[i * len(supervisors) // len(self.therapists)]
        for i, c in enumerate(self.cotas):
            c.supervising_otr = self.otrs[i % len(self.otrs)]
        Staff.objects.bulk_update(self.therapists, ["supervisor", "supervising_otr"])
        # Itinerant therapists: each covers a run of neighbouring schools (3-8 in bigger sizes).
        links = []
        n_schools = len(self.school_list)
        per = max(1, min(8, round(n_schools * 3 / max(1, len(self.therapists)))))
        per = min(max(per, 3), n_schools)
        self.schools_of: dict[int, list[School]] = {}
        for i, t in enumerate(self.therapists):
            # Runs do not wrap from the last school to the first: they are far apart.
            start = min((i * n_schools) // len(self.therapists), n_schools - per)
            covered = self.school_list[start : start + per]
            self.schools_of[t.pk] = covered
            links += [Staff.schools.through(staff_id=t.pk, school_id=s.pk) for s in covered]
        Staff.schools.through.objects.bulk_create(links)

    def students(self) -> None:
        rng, d = self.rng, self.district
        fall, _ = school_year_bounds(self.today)
        students = []
        # Fill therapists' caseloads in turn so every therapist has about the same number.
        self.primary_of: list[Staff] = []
        for i in range(self.size.students):
            therapist = self.therapists[i % len(self.therapists)]
            school = rng.choice(self.schools_of[therapist.pk])
            grade = rng.choice(GRADES_BY_BAND[school.grade_band])
            age = 5 + (0 if grade == "K" else int(grade))
            birth_year = fall - age
            last = rng.choice(words.LAST_NAMES)
            students.append(
                Student(
                    district=d,
                    school=school,
                    first_name=rng.choice(words.FIRST_NAMES),
                    last_name=last,
                    grade=grade,
                    date_of_birth=dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
                    if rng.random() < 0.7
                    else dt.date(birth_year - 1, rng.randint(9, 12), rng.randint(1, 28)),
                    local_id=f"S{next(self.local_ids)}",
                    medicaid_id=f"{rng.randint(10**9, 10**10 - 1)}" if rng.random() < 0.55 else "",
                )
            )
            self.primary_of.append(therapist)
        self.student_list = Student.objects.bulk_create(students, batch_size=2000)
        start = self.year.first_day
        assignments = []
        for student, therapist in zip(self.student_list, self.primary_of, strict=True):
            if therapist.credential == Staff.Credential.COTA:
                assignments.append(CaseloadAssignment(
                    district=d, staff=therapist, student=student,
                    role=CaseloadAssignment.Role.COTA, start_date=start))
                assignments.append(CaseloadAssignment(
                    district=d, staff_id=therapist.supervising_otr_id, student=student,
                    role=CaseloadAssignment.Role.PRIMARY_OTR, start_date=start))
            else:
                assignments.append(CaseloadAssignment(
                    district=d, staff=therapist, student=student,
                    role=CaseloadAssignment.Role.PRIMARY_OTR, start_date=start))
        # A finished assignment: history that must not grant access today.
        if len(self.therapists) > 1:
            assignments.append(CaseloadAssignment(
                district=d, staff=self.therapists[0], student=self.student_list[1],
                start_date=start - dt.timedelta(days=300), end_date=start - dt.timedelta(days=60)))
        CaseloadAssignment.objects.bulk_create(assignments, batch_size=5000)

    def classes(self) -> None:
        """One homeroom (or English class) per school and grade, with its teacher."""
        d = self.district
        by_school_grade: dict[tuple[int, str], list[Student]] = {}
        for s in self.student_list:
            by_school_grade.setdefault((s.school_id, s.grade), []).append(s)
        school_by_id = {s.pk: s for s in self.school_list}
        users, keys = [], []
        first_key = next(iter(by_school_grade), None)
        for key in by_school_grade:
            first, last = self.adult_name()
            username = "teacher" if key == first_key else None
            if username:
                first, last = "Alicia", "Moreno"
            users.append(self.user(role=Role.TEACHER, first=first, last=last, username=username))
            keys.append(key)
        User.objects.bulk_create(users, batch_size=2000)
        teachers = Staff.objects.bulk_create(
            [
                Staff(district=d, user=u, credential=Staff.Credential.TEACHER,
                      title="Classroom teacher")
                for u in users
            ],
            batch_size=2000,
        )
        classes = []
        for (school_id, grade), teacher in zip(keys, teachers, strict=True):
            school = school_by_id[school_id]
            label = "Kindergarten" if grade == "K" else f"Grade {grade}"
            kind = "Homeroom" if school.grade_band == School.GradeBand.ELEMENTARY else "English"
            classes.append(SchoolClass(
                district=d, school=school, teacher=teacher,
                name=f"{label} {kind} ({teacher.user.last_name})"))
        classes = SchoolClass.objects.bulk_create(classes, batch_size=2000)
        self.teacher_of: dict[int, Staff] = {}
        enrollments = []
        for cls, key in zip(classes, keys, strict=True):
            for s in by_school_grade[key]:
                enrollments.append(Enrollment(district=d, school_class=cls, student=s))
                self.teacher_of[s.pk] = cls.teacher
        # Classmates with no plan and no OT: the students a teacher may come to refer.
        classmates = []
        fall, _ = school_year_bounds(self.today)
        for cls, (school_id, grade) in zip(classes, keys, strict=True):
            age = 5 + (0 if grade == "K" else int(grade))
            for _ in range(2):
                classmates.append((cls, Student(
                    district=d, school_id=school_id, grade=grade,
                    first_name=self.rng.choice(words.FIRST_NAMES),
                    last_name=self.rng.choice(words.LAST_NAMES),
                    date_of_birth=dt.date(fall - age, self.rng.randint(1, 12),
                                          self.rng.randint(1, 28)),
                    local_id=f"S{next(self.local_ids)}",
                )))
        created = Student.objects.bulk_create([s for _, s in classmates], batch_size=2000)
        for (cls, _), student in zip(classmates, created, strict=True):
            enrollments.append(Enrollment(district=d, school_class=cls, student=student))
        Enrollment.objects.bulk_create(enrollments, batch_size=5000)

    def plans(self) -> None:
        rng, d, today = self.rng, self.district, self.today
        plans, plan_students = [], []
        for i, s in enumerate(self.student_list):
            kind = Plan.Kind.SECTION_504 if i % 6 == 5 else Plan.Kind.IEP
            # Plans started on a spread of dates in the last year.
            start = today - dt.timedelta(days=rng.randint(20, 340))
            end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
            last_eval = start - dt.timedelta(days=rng.randint(0, 2 * 365))
            plans.append(Plan(
                district=d, student=s, kind=kind, status=Plan.Status.ACTIVE,
                start_date=start, end_date=end, annual_review_due=end,
                reevaluation_due=(
                    last_eval.replace(year=last_eval.year + 3, day=min(last_eval.day, 28))
                    if kind == Plan.Kind.IEP else None),
            ))
            plan_students.append(s)
        plans = Plan.objects.bulk_create(plans, batch_size=2000)
        # A few ended plans: history the record shows but that grants nothing.
        old = []
        for s in self.student_list[::10]:
            start = today - dt.timedelta(days=730)
            old.append(Plan(district=d, student=s, kind=Plan.Kind.IEP, status=Plan.Status.ENDED,
                            start_date=start, end_date=start + dt.timedelta(days=364),
                            annual_review_due=start + dt.timedelta(days=364)))
        Plan.objects.bulk_create(old, batch_size=2000)

        goals, mandates, accommodations, team = [], [], [], []
        domains = sorted({g[0] for g in words.GOAL_BANK})
        for i, (plan, s) in enumerate(zip(plans, plan_students, strict=True)):
            name = s.preferred_name or s.first_name
            end_text = f"{plan.end_date:%B %Y}"
            if plan.kind == Plan.Kind.IEP:
                # Two or three goals, the first in a domain chosen round-robin so every domain
                # appears even in the small district.
                first_domain = domains[i % len(domains)]
                picks = [rng.choice([g for g in words.GOAL_BANK if g[0] == first_domain])]
                for g in rng.sample(words.GOAL_BANK, 3):
                    if len(picks) < rng.choice((2, 3)) and g not in picks:
                        picks.append(g)
                for domain, mtype, text, baseline, bval, tval in picks:
                    goals.append(Goal(
                        district=d, plan=plan, domain=domain, measurement_type=mtype,
                        text=text.format(name=name, end=end_text), baseline=baseline,
                        baseline_value=bval, target_value=tval, end_date=plan.end_date))
                bank = words.MANDATE_BANK[:6]
                chosen = [bank[i % len(bank)]]
                if rng.random() < 0.35:
                    chosen.append(words.MANDATE_BANK[6])  # plus monthly consultation
            else:
                chosen = [words.MANDATE_BANK[6 + i % 2]]  # 504: consultation only
            for service, model, minutes, per, period, group, size, setting in chosen:
                mandates.append(ServiceMandate(
                    district=d, plan=plan, service=service, delivery_model=model,
                    minutes_per_session=minutes, sessions_per_period=per, period=period,
                    group_allowed=group, max_group_size=size, setting=setting,
                    start_date=plan.start_date, end_date=plan.end_date))
            categories = rng.sample(sorted(words.ACCOMMODATION_BANK), 3)
            for category in categories:
                accommodations.append(Accommodation(
                    district=d, plan=plan, category=category,
                    text=rng.choice(words.ACCOMMODATION_BANK[category])))
            therapist = self.primary_of[i]
            teacher = self.teacher_of.get(s.pk)
            members = [(TeamMember.Role.OT, therapist, None)]
            if teacher:
                members.append((TeamMember.Role.GENED_TEACHER, teacher, None))
            if plan.kind == Plan.Kind.IEP:
                members += [(TeamMember.Role.SPED_TEACHER, None, self.adult_name()),
                            (TeamMember.Role.SLP, None, self.adult_name()),
                            (TeamMember.Role.PSYCHOLOGIST, None, self.adult_name())]
                if rng.random() < 0.3:
                    members.append((TeamMember.Role.PT, None, self.adult_name()))
                if rng.random() < 0.15:
                    members.append((TeamMember.Role.OUTSIDE, None, self.adult_name()))
            else:
                members.append((TeamMember.Role.NURSE, None, self.adult_name()))
            for role, staff, person in members:
                if staff is not None:
                    full = f"{staff.user.first_name} {staff.user.last_name}"
                    email = staff.user.email
                else:
                    full = " ".join(person)
                    email = f"{person[0][0]}{person[1]}@example.org".lower()
                team.append(TeamMember(district=d, plan=plan, role=role, staff=staff,
                                       name=full, email=email))
        Goal.objects.bulk_create(goals, batch_size=5000)
        ServiceMandate.objects.bulk_create(mandates, batch_size=5000)
        Accommodation.objects.bulk_create(accommodations, batch_size=5000)
        TeamMember.objects.bulk_create(team, batch_size=5000)

    def guardians(self) -> None:
        rng, d = self.rng, self.district
        guardians, parent_users = [], []
        demo_parent_children = set()
        # The demo parent has two children on the demo therapist's caseload.
        therapist0 = self.therapists[0]
        mine = [s for s, t in zip(self.student_list, self.primary_of, strict=True)
                if t.pk == therapist0.pk]
        demo_parent_children = {s.pk for s in mine[:2]}
        demo_parent = self.user(role=Role.PARENT, first="Lucia", last=mine[0].last_name,
                                username="parent")
        parent_users.append(demo_parent)
        pending: list[tuple[Guardian, User | None]] = []
        for s in self.student_list:
            if s.last_name in words.SPANISH_SURNAMES:
                language = "es" if rng.random() < 0.6 else "en"
            elif s.last_name in words.VIETNAMESE_SURNAMES:
                language = "vi" if rng.random() < 0.4 else "en"
            elif s.last_name in words.ARABIC_SURNAMES:
                language = "ar" if rng.random() < 0.4 else "en"
            else:
                language = "en"
            relations = [Guardian.Relation.MOTHER, Guardian.Relation.FATHER]
            if rng.random() < 0.1:
                relations = [rng.choice([Guardian.Relation.GRANDPARENT, Guardian.Relation.FOSTER,
                                         Guardian.Relation.LEGAL])]
            elif rng.random() < 0.35:
                relations = relations[:1]
            for j, relation in enumerate(relations):
                if s.pk in demo_parent_children and j == 0:
                    first, user = "Lucia", demo_parent
                else:
                    first, user = rng.choice(words.ADULT_FIRST_NAMES), None
                    # One family in three has a parent login.
                    if j == 0 and rng.random() < 0.33:
                        user = self.user(role=Role.PARENT, first=first, last=s.last_name)
                        parent_users.append(user)
                pending.append((Guardian(
                    district=d, student=s, first_name=first, last_name=s.last_name,
                    relation=relation, email=f"{first}.{s.last_name}@example.net".lower(),
                    phone=f"555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                    preferred_language="es" if user is demo_parent else language), user))
        User.objects.bulk_create(parent_users, batch_size=2000)
        for g, user in pending:
            g.user = user
            guardians.append(g)
        Guardian.objects.bulk_create(guardians, batch_size=5000)


def district_seed(
    *,
    size: str = "small",
    seed: int = 1,
    today: dt.date | None = None,
    name: str | None = None,
    history: bool = True,
) -> District:
    """Create one synthetic district, all or nothing.

    The same (size, seed, today) gives the same district. With `history`, each therapist also
    gets a recurring week (checked against the records, as a build checks it) and the
    sessions of the school year so far. Usernames are unique per database, so the demo logins
    (admin, supervisor, therapist, cota, teacher, parent) exist once: a second district
    seeded into the same database raises ValueError.
    """
    if size not in SIZES:
        raise ValueError(f"Unknown size {size!r}: choose one of {', '.join(SIZES)}.")
    if User.objects.filter(username__in=[u for u, _, _ in DEMO_LOGINS]).exists():
        raise ValueError(
            "This database already has a seeded district (the demo logins exist). "
            "Use a fresh database to seed another."
        )
    today = today or dt.date.today()
    builder = _Builder(
        size=SIZES[size], seed=seed, today=today, name=name or "Riverbend Unified School District"
    )
    with transaction.atomic():
        district = builder.build()
        from schoolot.schedules.seed import schedule_data_seed

        schedule_data_seed(district=district, rng=random.Random(seed))
        if history:
            from schoolot.delivery.seed import (
                periodic_history_seed,
                session_history_seed,
                weekly_slots_seed,
            )
            from schoolot.schedules.seed import (
                one_off_meetings_seed,
                time_away_seed,
                week_checks_seed,
            )

            slots = weekly_slots_seed(district=district, rng=builder.rng, today=today)
            one_off_meetings_seed(district=district, today=today, slots=slots)
            time_away_seed(district=district, today=today, rng=random.Random(seed))
            session_history_seed(district=district, rng=builder.rng, today=today, slots=slots)
            periodic_history_seed(district=district, rng=builder.rng, today=today)
            week_checks_seed(district=district, today=today)
        builder.cover_otr()
        medicaid_consents_seed(district=district, today=today, seed=seed)
        return district


# ICD-10-CM codes a school OT's students commonly carry on a Medicaid claim.
DIAGNOSES = [
    "F82",  # developmental coordination disorder
    "F84.0",  # autistic disorder
    "F90.2",  # ADHD, combined type
    "R27.8",  # other lack of coordination
    "F81.81",  # disorder of written expression
    "G80.9",  # cerebral palsy
    "Q90.9",  # Down syndrome
    "F88",  # other disorders of psychological development
]


def medicaid_consents_seed(*, district: District, today: dt.date, seed: int) -> None:
    """Parents' consent to bill Medicaid (34 CFR 300.154(d)) for most students with a
    Medicaid ID: received a year or more ago or this year, its yearly notice sent within the
    last year (so some fall due soon); for about one in seven the request is still
    unanswered, so the billing export has its exceptions. Students with a plan carry one or
    two diagnosis codes. Seeded last, from its own random source, so the rest of the
    district stays as it was."""
    from schoolot.referrals.models import Consent

    rng = random.Random(f"medicaid-{seed}")
    therapist_of = {
        a.student_id: a.staff
        for a in CaseloadAssignment.objects.filter(
            district=district,
            role=CaseloadAssignment.Role.PRIMARY_OTR,
            end_date__isnull=True,
        ).select_related("staff")
    }
    consents, students = [], []
    for student in Student.objects.filter(district=district).order_by("pk"):
        recorder = therapist_of.get(student.pk)
        if recorder is None:
            continue
        student.diagnosis_codes = "; ".join(rng.sample(DIAGNOSES, rng.choice([1, 1, 2])))
        students.append(student)
        if not student.medicaid_id:
            continue
        if rng.random() < 0.14:
            requested = today - dt.timedelta(days=rng.randint(3, 40))
            consents.append(
                Consent(
                    district=district,
                    student=student,
                    kind=Consent.Kind.MEDICAID_BILLING,
                    requested_on=requested,
                    recorded_by=recorder,
                )
            )
            continue
        notice = today - dt.timedelta(days=rng.randint(20, 360))
        received = notice - dt.timedelta(days=rng.choice([0, 365, 730]))
        consents.append(
            Consent(
                district=district,
                student=student,
                kind=Consent.Kind.MEDICAID_BILLING,
                requested_on=received - dt.timedelta(days=rng.randint(2, 15)),
                response=Consent.Response.RECEIVED,
                responded_on=received,
                notice_sent_on=notice,
                recorded_by=recorder,
            )
        )
        student.medicaid_billing_consent = received
    Student.objects.bulk_update(
        students, ["diagnosis_codes", "medicaid_billing_consent"], batch_size=2000
    )
    Consent.objects.bulk_create(consents, batch_size=2000)
