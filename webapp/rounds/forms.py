"""Forms of the HR round pages: setting a round up, and the review page's controls."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    DecimalRangeField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp

from matcher import PRIORITIES
from models.round import ROUND_KINDS
from models.skill import LEVELS
from webapp.forms import REQUIRED, TOO_LONG, CatalogForm
from webapp.services.round_review import KIND_NAMES
from webapp.services.rounds.parameters import PARAMETER_BOUNDS, WEIGHT_CLASSES

KIND_LABELS = {
    "mentoring": _l("Mentoring: learners with mentors"),
    "peer": _l("Peer skill swaps: two members teach each other"),
    "groups": _l("Working groups: cross-department groups anchored by an expert"),
}

#: The matcher's priorities by name ("Coverage").
PRIORITY_NAMES = {"coverage": _l("Coverage"), "score": _l("Score")}
_PRIORITY_WORDS = {
    "coverage": _l("Coverage: match as many members as possible, then the best scores"),
    "score": _l("Score: the highest total score, even if fewer members are matched"),
}
#: The matcher's priorities, in its order, with what each means to HR.
PRIORITY_LABELS = {priority: _PRIORITY_WORDS[priority] for priority in PRIORITIES}

#: What each weight and parameter is called on the pages (a name missing here shows as its code, in words).
_LABELS = {
    "goals": _l("Goals"),
    "learning": _l("Learning"),
    "balance": _l("Balance"),
    "community": _l("Community"),
    "cross_department": _l("Cross department"),
    "department": _l("Department"),
    "function": _l("Function"),
    "time_zone": _l("Time zone"),
    "seniority": _l("Seniority"),
    "location": _l("Location"),
    "skills": _l("Skills"),
    "repeat": _l("Repeat"),
    "priority": _l("Priority"),
    "cooldown_rounds": _l("Cooldown (rounds)"),
    "group_min": _l("Smallest group"),
    "group_max": _l("Largest group"),
    "anchor_level": _l("Anchor level"),
    "time_limit": _l("Time limit (seconds)"),
    "preference_bonus": _l("Preference bonus"),
}

#: What each weight means to HR, by kind: the matcher's meanings (``describe()``) in the catalog.
#: A weight missing here shows the matcher's own English words; a test keeps the English equal to them.
WEIGHT_MEANINGS = {
    "mentoring": {
        "goals": _l("How well the mentor can teach what the learner wants to learn (priority counts)"),
        "community": _l("Sharing a Community of Practice (full weight from two shared)"),
        "cross_department": _l("Learning from another part of the organisation"),
        "time_zone": _l("Overlap of an 8-hour working day"),
        "seniority": _l("A sensible seniority gap: the mentor one or two bands up (three up, or the same band, "
                        "counts less)"),
    },
    "peer": {
        "learning": _l("What the two can teach each other: share of each one's goals the other covers"),
        "balance": _l("Share of the learning score from the weaker direction (1: only the weaker; 0.5: plain average)"),
        "community": _l("Belonging to a Community of Practice in common"),
        "cross_department": _l("Working in different departments (a fresh perspective)"),
        "time_zone": _l("Penalty for time zones far apart (full from 12 hours apart)"),
        "repeat": _l("Penalty for pairs that were matched in an earlier round"),
    },
    "groups": {
        "department": _l("Mixing people from different departments"),
        "function": _l("Mixing job functions (job families)"),
        "seniority": _l("Mixing seniority, from junior to executive"),
        "location": _l("Mixing sites and offices"),
        "skills": _l("Mixing different skill profiles"),
    },
}

#: A number outside a parameter's bounds (WTForms fills in ``min`` and ``max``).
_BETWEEN = _l("Between %(min)g and %(max)g.")

#: Weights that are shares rather than open-ended amounts: (largest value, step).
SHARE_WEIGHTS = {"balance": (1.0, 0.05)}


def slider_bounds(name: str, default: float) -> tuple[float, float]:
    """The largest value and the step of a weight's slider.

    Examples
    --------
    >>> slider_bounds("goals", 10.0)
    (20.0, 0.1)
    >>> slider_bounds("community", 2.0)
    (10.0, 0.1)
    >>> slider_bounds("balance", 0.7)
    (1.0, 0.05)
    """
    return SHARE_WEIGHTS.get(name, (max(10.0, 2.0 * default), 0.1))


def weight_label(name: str) -> str:
    """What a weight or parameter is called: ``"cross_department"`` → "Cross department"."""
    return str(_LABELS.get(name) or name.replace("_", " ").capitalize())


def weight_meaning(kind: str, name: str, default: str = "") -> str:
    """What weight ``name`` of a ``kind`` round means to HR; ``default`` (the matcher's words) if unknown."""
    return str(WEIGHT_MEANINGS[kind].get(name, default))


class ScopeForm(CatalogForm):
    """Step 1 of a new round (GET, so no CSRF token): which kind, for whom."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind of round"), choices=[SelectChoice(k, KIND_NAMES[k]) for k in ROUND_KINDS],
                       default="mentoring")
    community = SelectField(_l("Scope"), coerce=int, default=0)


class RoundForm(CatalogForm):
    """Step 2: name and parameters for the kind and scope chosen in step 1.

    Kind and scope travel as hidden fields, so the parameters on the page
    always belong to the kind being created. Build one with ``round_form``.
    """

    kind = HiddenField(validators=[InputRequired(message=REQUIRED),
                                   AnyOf(ROUND_KINDS, message=_l("Invalid value, must be one of: %(values)s."))])
    community = HiddenField(validators=[Regexp(r"^\d{1,9}$", message=_l("Invalid input."))], default="0")
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120, message=TOO_LONG)])
    # Left empty, the round starts today and runs its kind's default length.
    starts_on = DateField(_l("Starts on"), validators=[Optional()], format="%Y-%m-%d")
    ends_on = DateField(_l("Ends on"), validators=[Optional()], format="%Y-%m-%d",
                        description=_l("Check-ins go out until this day; then the round closes and feedback opens."))
    purpose = TextAreaField(_l("What the groups are for"), validators=[Optional(), Length(max=1000, message=TOO_LONG)],
                            description=_l("Shown to every group; HR can give one group its own."))
    create = SubmitField(_l("Create draft"))
    create_and_solve = SubmitField(_l("Create and solve"))

    #: Names of this kind's weight fields and of its other parameters, in page order.
    weight_names: tuple[str, ...] = ()
    parameter_names: tuple[str, ...] = ()

    @property
    def parameter_fields(self):
        return [self[name] for name in self.parameter_names]

    def parameters(self) -> dict:
        """The round's parameters as ``create_round`` takes them."""
        values = {name: self[name].data for name in self.parameter_names}
        for name in ("time_limit", "preference_bonus"):
            if name in values and values[name] is None:  # left out: the default holds
                del values[name]
            elif name in values:
                values[name] = float(values[name])
        values["weights"] = {name: float(self[f"weight_{name}"].data) for name in self.weight_names}
        return values


def _in_bounds(name: str) -> NumberRange:
    """The validator for a numeric parameter, from the service's one bounds table."""
    low, high = PARAMETER_BOUNDS[name]
    return NumberRange(low, high, message=_BETWEEN)


def _cooldown():
    low, high = PARAMETER_BOUNDS["cooldown_rounds"]
    return IntegerField(
        _LABELS["cooldown_rounds"], validators=[InputRequired(message=REQUIRED), _in_bounds("cooldown_rounds")],
        description=_l("Pairs matched in this many recent rounds are not matched again (%(low)d–%(high)d).",
                       low=low, high=high),
    )


def _priority():
    return RadioField(_LABELS["priority"], choices=[SelectChoice(k, v) for k, v in PRIORITY_LABELS.items()],
                      validators=[InputRequired(message=_l("Choose coverage or score."))])


def _group_size(name: str, description):
    return lambda: IntegerField(_LABELS[name], validators=[InputRequired(message=REQUIRED), _in_bounds(name)],
                                description=description)


def _time_limit():
    low, high = PARAMETER_BOUNDS["time_limit"]
    return DecimalField(
        _LABELS["time_limit"], places=None,
        validators=[InputRequired(message=REQUIRED), _in_bounds("time_limit")],
        description=_l("How long the search for diverse groups may run (%(low)g–%(high)g).", low=low, high=high),
    )


def _preference_bonus():
    low, high = PARAMETER_BOUNDS["preference_bonus"]
    return DecimalRangeField(
        _LABELS["preference_bonus"], places=None, validators=[Optional(), _in_bounds("preference_bonus")],
        render_kw={"min": low, "max": high, "step": 0.1},
        description=_l("Added to the score of a pair a member asked for: honoured when it costs little "
                       "(%(low)g–%(high)g).", low=low, high=high))


#: The non-weight parameters of each kind, as field factories (a field is bound per form).
KIND_FIELDS = {
    "mentoring": {"priority": _priority, "cooldown_rounds": _cooldown, "preference_bonus": _preference_bonus},
    "peer": {"priority": _priority, "cooldown_rounds": _cooldown, "preference_bonus": _preference_bonus},
    "groups": {
        "group_min": _group_size("group_min", _l("At least %(num)d members.", num=PARAMETER_BOUNDS["group_min"][0])),
        "group_max": _group_size("group_max", _l("At most %(num)d members.", num=PARAMETER_BOUNDS["group_max"][1])),
        "anchor_level": lambda: SelectField(
            _LABELS["anchor_level"], coerce=int,
            choices=[SelectChoice(level, f"{level} – {name}") for level, name in LEVELS.items()],
            description=_l("A member at this level or above in a core skill can anchor a group.")),
        "cooldown_rounds": _cooldown,
        "time_limit": _time_limit,
    },
}


class ScheduleForm(CatalogForm):
    """A round's dates, and for a working-group round what the groups are for."""

    starts_on = DateField(_l("Starts on"), validators=[InputRequired(message=REQUIRED)], format="%Y-%m-%d")
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(message=REQUIRED)], format="%Y-%m-%d")
    purpose = TextAreaField(_l("What the groups are for"), validators=[Optional(), Length(max=1000, message=TOO_LONG)])


def round_form(kind: str, defaults: dict, **data) -> RoundForm:
    """A ``RoundForm`` for ``kind``; its fields start from ``defaults`` (as ``default_parameters`` gives them).

    ``data`` sets the other fields (kind, community, name). A POST's form data wins over both.
    """
    weights = WEIGHT_CLASSES[kind].describe()
    attributes = {
        "weight_names": tuple(name for name, _, _ in weights),
        "parameter_names": tuple(KIND_FIELDS[kind]),
    }
    for name, default, meaning in weights:
        high, step = slider_bounds(name, default)
        attributes[f"weight_{name}"] = DecimalRangeField(
            weight_label(name), description=weight_meaning(kind, name, meaning), places=None,
            validators=[InputRequired(message=REQUIRED), NumberRange(0, high, message=_BETWEEN)],
            render_kw={"min": 0, "max": high, "step": step},
        )
    for name, factory in KIND_FIELDS[kind].items():
        attributes[name] = factory()
    form_class = type(f"{kind.capitalize()}RoundForm", (RoundForm,), attributes)
    initial = {f"weight_{name}": value for name, value in defaults["weights"].items()}
    initial.update({name: defaults[name] for name in KIND_FIELDS[kind]}, kind=kind, **data)
    return form_class(data=initial)


class PairForm(CatalogForm):
    """Pin or forbid a pair: two emails typed by HR, or two member ids from a pair's row."""

    first_email = StringField(_l("First member's email"), validators=[Optional(), Length(max=254, message=TOO_LONG)])
    second_email = StringField(_l("Second member's email"), validators=[Optional(), Length(max=254, message=TOO_LONG)])
    first_id = HiddenField()
    second_id = HiddenField()


class MoveForm(CatalogForm):
    """Move one member of a solved working-group round to another group."""

    member_id = HiddenField(validators=[InputRequired(message=REQUIRED)])
    to_number = IntegerField(_l("To group"), validators=[
        InputRequired(message=_l("Give a group number.")),
        NumberRange(min=1, message=_l("Give a group number of %(min)d or more.")),
    ])
