"""Word banks for the synthetic district: names, goals in real goal language, accommodations.

Everything here is invented. No real student, family or staff member appears.
"""

from __future__ import annotations

FIRST_NAMES = [
    "Aaliyah", "Aarav", "Abigail", "Adrian", "Aiden", "Alejandro", "Amara", "Amir", "Ana",
    "Andre", "Ava", "Benjamin", "Bianca", "Brandon", "Camila", "Carlos", "Carter", "Chloe",
    "Daniel", "Deshawn", "Diego", "Elena", "Eli", "Emma", "Ethan", "Fatima", "Gabriel", "Grace",
    "Hana", "Hector", "Imani", "Isabella", "Isaiah", "Jackson", "Jade", "Jamal", "Jasmine",
    "Javier", "Jayden", "Kai", "Kayla", "Khalil", "Leah", "Liam", "Lila", "Lucas", "Luis",
    "Maya", "Mateo", "Mia", "Minh", "Nadia", "Noah", "Nora", "Oliver", "Omar", "Priya", "Quinn",
    "Rosa", "Ruby", "Samuel", "Santiago", "Sofia", "Tariq", "Theo", "Valentina", "Wyatt",
    "Ximena", "Yusuf", "Zoe", "Anh", "Bao", "Layla", "Malik", "Naomi", "Owen", "Paola", "Reza",
]
LAST_NAMES = [
    "Anderson", "Baker", "Brooks", "Carter", "Chen", "Clark", "Davis", "Diaz", "Edwards",
    "Flores", "Garcia", "Gonzalez", "Green", "Hall", "Harris", "Hernandez", "Hill", "Jackson",
    "Johnson", "Khan", "Kim", "Lee", "Lewis", "Lopez", "Martinez", "Mitchell", "Moore",
    "Morales", "Nguyen", "Okafor", "Patel", "Perez", "Phillips", "Ramirez", "Reyes", "Rivera",
    "Roberts", "Robinson", "Rodriguez", "Sanchez", "Scott", "Shah", "Singh", "Smith", "Tran",
    "Torres", "Turner", "Walker", "Washington", "White", "Williams", "Wilson", "Wright", "Young",
    "Ali", "Haddad", "Ortiz", "Castillo", "Pham", "Murphy", "Cohen", "Adeyemi",
]
SPANISH_SURNAMES = {
    "Diaz", "Flores", "Garcia", "Gonzalez", "Hernandez", "Lopez", "Martinez", "Morales",
    "Perez", "Ramirez", "Reyes", "Rivera", "Rodriguez", "Sanchez", "Torres", "Ortiz", "Castillo",
}
VIETNAMESE_SURNAMES = {"Nguyen", "Tran", "Pham"}
ARABIC_SURNAMES = {"Haddad", "Ali"}
ADULT_FIRST_NAMES = [
    "Maria", "Jennifer", "Patricia", "Linda", "Elizabeth", "Susan", "Jessica", "Sarah", "Karen",
    "Lisa", "Angela", "Monique", "Yolanda", "Guadalupe", "Thuy", "Leila", "Rachel", "Denise",
    "James", "Robert", "Michael", "David", "Jose", "Juan", "Marcus", "Kevin", "Anthony",
    "Terrence", "Hung", "Karim", "Steven", "Brian", "Lauren", "Megan", "Courtney", "Erin",
]
SCHOOL_NAMES = [
    "Lincoln", "Roosevelt", "Jefferson", "Washington", "Cesar Chavez", "Maya Angelou",
    "Riverside", "Oak Grove", "Cedar Ridge", "Maple Park", "Sunnyvale", "Lakeview", "Hillcrest",
    "Pine Hollow", "Meadowbrook", "Eastside", "Westfield", "North Park", "Southgate",
    "Harriet Tubman", "Frederick Douglass", "Sally Ride", "Rosa Parks", "Thurgood Marshall",
    "Willow Creek", "Bluebonnet", "Prairie View", "Stone Bridge", "Fairview", "Highland",
]
STREETS = [
    "Elm St", "Oak Ave", "School Rd", "Main St", "Park Blvd", "Cedar Ln", "River Rd",
    "Maple Dr", "College Ave", "Hill St", "Lake Rd", "Pine St",
]

# Prompt levels, most support first; progress means climbing the scale.
PROMPT_LEVELS = [
    "full physical", "partial physical", "model", "gestural", "verbal", "independent",
]

# (domain, measurement type, goal text, baseline text, baseline value, target value)
GOAL_BANK = [
    ("fine_motor", "legibility",
     "Given a slant board and a pencil grip, {name} will copy a 3-sentence paragraph from near "
     "point with 90% letter legibility in 4 of 5 trials by {end}.",
     "Copies near-point text with about 55% letter legibility; letters vary in size and float "
     "above the baseline.", 55, 90),
    ("fine_motor", "letters_per_minute",
     "{name} will copy grade-level text at 30 letters per minute with legible letter formation "
     "across 3 consecutive sessions by {end}.",
     "Copies 18 letters per minute; slows and loses legibility after the first sentence.",
     18, 30),
    ("fine_motor", "percent_trials",
     "{name} will use a functional tripod or quadrupod grasp on writing tools without a "
     "reminder in 80% of observed opportunities by {end}.",
     "Uses a fisted grasp in about 70% of observed writing tasks.", 30, 80),
    ("fine_motor", "percent_trials",
     "Using loop scissors, {name} will cut along a curved line staying within 1/4 inch in 4 of "
     "5 trials by {end}.",
     "Cuts straight lines; deviates more than 1/2 inch on curves.", 40, 80),
    ("fine_motor", "rubric",
     "With a visual model, {name} will form all lowercase letters with correct start point and "
     "stroke direction, scoring 3 of 4 on the handwriting rubric in 3 consecutive sessions by "
     "{end}.",
     "Forms 12 of 26 lowercase letters correctly; reverses b/d and p/q.", 1, 3),
    ("sensory", "percent_trials",
     "When given a break card and a visual schedule, {name} will request a sensory break "
     "before escalating in 4 of 5 observed opportunities by {end}.",
     "Requests a break in about 1 of 5 opportunities; usually leaves the area instead.", 20, 80),
    ("sensory", "duration",
     "Using a movement cushion, {name} will remain seated and engaged during whole-group "
     "instruction for 20 minutes with no more than 2 redirections on 4 of 5 days by {end}.",
     "Stays seated and engaged for about 6 minutes before leaving the carpet.", 6, 20),
    ("sensory", "prompt_level",
     "{name} will use a self-selected calming strategy (heavy work, deep pressure, "
     "noise-reducing headphones) to return to task within 5 minutes, needing no more than a "
     "gestural prompt, in 4 of 5 episodes by {end}.",
     "Needs partial physical guidance to start a calming strategy.", 1, 3),
    ("sensory", "duration",
     "{name} will take part in art and science activities with tactile materials for 10 "
     "minutes without leaving the area in 3 of 4 sessions by {end}.",
     "Tolerates glue and paint for about 2 minutes.", 2, 10),
    ("self_care", "percent_trials",
     "{name} will open lunch containers (milk carton, yogurt cup, zip bag) independently "
     "within 3 minutes in 4 of 5 lunches by {end}.",
     "Opens 2 of 5 common containers without adult help.", 40, 80),
    ("self_care", "prompt_level",
     "{name} will complete the arrival routine (unpack backpack, hang coat, turn in folder) "
     "with no more than one verbal prompt on 4 of 5 days by {end}.",
     "Completes the routine with a model at each step.", 2, 4),
    ("self_care", "percent_trials",
     "{name} will manage buttons, snaps and zippers on own clothing for restroom use "
     "independently in 4 of 5 opportunities by {end}.",
     "Manages zippers; needs help with buttons and snaps.", 30, 80),
    ("self_care", "rubric",
     "Using a color-coded binder system, {name} will keep desk and binder organized, scoring "
     "3 of 4 on the weekly organization checklist for 4 consecutive weeks by {end}.",
     "Scores 1 of 4; papers are loose and assignments are often lost.", 1, 3),
    ("social", "frequency",
     "{name} will keep appropriate personal space in line and at the carpet, needing no more "
     "than 1 reminder per transition, in 4 of 5 transitions by {end}.",
     "Needs about 4 reminders per transition.", 4, 1),
    ("social", "percent_trials",
     "Using a visual transition card, {name} will move between classroom, hallway and "
     "cafeteria within 3 minutes in 80% of transitions by {end}.",
     "Completes about a third of transitions within 3 minutes.", 35, 80),
    ("social", "duration",
     "{name} will take part in a structured recess game with peers for 10 minutes, taking "
     "turns, in 3 of 4 observed recesses by {end}.",
     "Joins group games for about 3 minutes before wandering off.", 3, 10),
    ("assistive_tech", "percent_trials",
     "{name} will use speech-to-text to compose a 5-sentence response with no more than 2 "
     "uncorrected errors in 4 of 5 written assignments by {end}.",
     "Writes 1-2 sentences by hand; has not yet used speech-to-text.", 20, 80),
    ("assistive_tech", "frequency",
     "{name} will type 15 correct words per minute on a standard keyboard using home-row "
     "fingering by {end}.",
     "Types 6 correct words per minute with one finger.", 6, 15),
]

ACCOMMODATION_BANK = {
    "assistive_tech": [
        "Access to a keyboard or tablet with word prediction for written work over 3 sentences.",
        "Speech-to-text for extended writing and tests (except spelling).",
        "Pencil grip and slant board available at the desk.",
    ],
    "sensory": [
        "Movement break every 20 minutes or on request (break card).",
        "Noise-reducing headphones during independent work and assemblies.",
        "Access to a fidget and heavy-work jobs (carrying books to the office).",
    ],
    "seating": [
        "Seat near the point of instruction, away from the door and the pencil sharpener.",
        "Wobble cushion or standing desk option.",
        "Feet supported on a footrest; chair height adjusted so hips and knees are at 90 degrees.",
    ],
    "materials": [
        "Raised-line or highlighted-baseline paper for handwriting.",
        "Copies of board notes or a guided-notes template.",
        "Reduced copying: worksheets instead of copying from the board.",
    ],
    "schedule": [
        "Extended time (1.5x) for written assignments and tests.",
        "Visual schedule with warnings 5 minutes before transitions.",
        "Leaves class 3 minutes early to avoid crowded hallways.",
    ],
    "strategy": [
        "Model letter formation with verbal cues (start at the top, 'big line down').",
        "Offer a choice of two calming strategies before an escalation, not after.",
        "Break multi-step directions into one step at a time with a checklist.",
    ],
}

# (service, delivery model, minutes, sessions per period, period, group allowed, max group,
#  setting) -- every delivery model and every period appears.
MANDATE_BANK = [
    ("ot", "pull_out", 30, 2, "week", True, 3, "therapy_room"),
    ("ot", "pull_out", 30, 1, "week", False, 1, "therapy_room"),
    ("ot", "push_in", 30, 1, "week", False, 1, "classroom"),
    ("ot", "combined", 45, 1, "week", True, 2, "classroom"),
    ("ot", "pull_out", 30, 8, "quarter", True, 4, "therapy_room"),
    ("ot", "pull_out", 20, 3, "month", False, 1, "therapy_room"),
    ("ot_consult", "consultation", 60, 1, "month", False, 1, "classroom"),
    ("ot_consult", "consultation", 30, 6, "year", False, 1, "classroom"),
]
