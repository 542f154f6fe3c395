"""Forms of the HR round pages: setting a round up, and the review page's controls."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    DecimalRangeField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp

from matcher._validation import PRIORITIES
from models.round import ROUND_KINDS
from models.skill import LEVELS
from webapp.services.rounds.parameters import PARAMETER_BOUNDS, WEIGHT_CLASSES

KIND_NAMES = {"mentoring": "Mentoring", "peer": "Peer skill swaps", "groups": "Working groups"}
KIND_LABELS = {
    "mentoring": "Mentoring: learners with mentors",
    "peer": "Peer skill swaps: two members teach each other",
    "groups": "Working groups: cross-department groups anchored by an expert",
}

_PRIORITY_WORDS = {
    "coverage": "Coverage: match as many members as possible, then the best scores",
    "score": "Score: the highest total score, even if fewer members are matched",
}
#: The matcher's priorities, in its order, with what each means to HR.
PRIORITY_LABELS = {priority: _PRIORITY_WORDS[priority] for priority in PRIORITIES}

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
    """``"cross_department"`` → ``"Cross department"``."""
    return name.replace("_", " ").capitalize()


class ScopeForm(FlaskForm):
    """Step 1 of a new round (GET, so no CSRF token): which kind, for whom."""

    class Meta:
        csrf = False

    kind = SelectField("Kind of round", choices=[SelectChoice(k, KIND_NAMES[k]) for k in ROUND_KINDS],
                       default="mentoring")
    community = SelectField("Scope", coerce=int, default=0)


class RoundForm(FlaskForm):
    """Step 2: name and parameters for the kind and scope chosen in step 1.

    Kind and scope travel as hidden fields, so the parameters on the page
    always belong to the kind being created. Build one with ``round_form``.
    """

    kind = HiddenField(validators=[InputRequired(), AnyOf(ROUND_KINDS)])
    community = HiddenField(validators=[Regexp(r"^\d{1,9}$")], default="0")
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    create = SubmitField("Create draft")
    create_and_solve = SubmitField("Create and solve")

    #: Names of this kind's weight fields and of its other parameters, in page order.
    weight_names: tuple[str, ...] = ()
    parameter_names: tuple[str, ...] = ()

    @property
    def parameter_fields(self):
        return [self[name] for name in self.parameter_names]

    def parameters(self) -> dict:
        """The round's parameters as ``create_round`` takes them."""
        values = {name: self[name].data for name in self.parameter_names}
        if "time_limit" in values:
            values["time_limit"] = float(values["time_limit"])
        values["weights"] = {name: float(self[f"weight_{name}"].data) for name in self.weight_names}
        return values


def _in_bounds(name: str) -> NumberRange:
    """The validator for a numeric parameter, from the service's one bounds table."""
    return NumberRange(*PARAMETER_BOUNDS[name])


def _cooldown():
    low, high = PARAMETER_BOUNDS["cooldown_rounds"]
    return IntegerField("Cooldown (rounds)", validators=[InputRequired(), _in_bounds("cooldown_rounds")],
                        description=f"Pairs matched in this many recent rounds are not matched again ({low}–{high}).")


def _priority():
    return RadioField("Priority", choices=[SelectChoice(k, v) for k, v in PRIORITY_LABELS.items()],
                      validators=[InputRequired(message="Choose coverage or score.")])


def _group_size(label: str, name: str, description: str):
    return lambda: IntegerField(label, validators=[InputRequired(), _in_bounds(name)], description=description)


def _time_limit():
    low, high = PARAMETER_BOUNDS["time_limit"]
    return DecimalField("Time limit (seconds)", places=None, validators=[InputRequired(), _in_bounds("time_limit")],
                        description=f"How long the search for diverse groups may run ({low:g}–{high:g}).")


#: The non-weight parameters of each kind, as field factories (a field is bound per form).
KIND_FIELDS = {
    "mentoring": {"priority": _priority, "cooldown_rounds": _cooldown},
    "peer": {"priority": _priority, "cooldown_rounds": _cooldown},
    "groups": {
        "group_min": _group_size("Smallest group", "group_min", f"At least {PARAMETER_BOUNDS['group_min'][0]} members."),
        "group_max": _group_size("Largest group", "group_max", f"At most {PARAMETER_BOUNDS['group_max'][1]} members."),
        "anchor_level": lambda: SelectField(
            "Anchor level", coerce=int,
            choices=[SelectChoice(level, f"{level} – {name}") for level, name in LEVELS.items()],
            description="A member at this level or above in a core skill can anchor a group."),
        "cooldown_rounds": _cooldown,
        "time_limit": _time_limit,
    },
}


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
            weight_label(name), description=meaning, places=None,
            validators=[InputRequired(), NumberRange(0, high, message=f"Between 0 and {high:g}.")],
            render_kw={"min": 0, "max": high, "step": step},
        )
    for name, factory in KIND_FIELDS[kind].items():
        attributes[name] = factory()
    form_class = type(f"{kind.capitalize()}RoundForm", (RoundForm,), attributes)
    initial = {f"weight_{name}": value for name, value in defaults["weights"].items()}
    initial.update({name: defaults[name] for name in KIND_FIELDS[kind]}, kind=kind, **data)
    return form_class(data=initial)


class PairForm(FlaskForm):
    """Pin or forbid a pair: two emails typed by HR, or two member ids from a pair's row."""

    first_email = StringField("First member's email", validators=[Optional(), Length(max=254)])
    second_email = StringField("Second member's email", validators=[Optional(), Length(max=254)])
    first_id = HiddenField()
    second_id = HiddenField()


class MoveForm(FlaskForm):
    """Move one member of a solved working-group round to another group."""

    member_id = HiddenField(validators=[InputRequired()])
    to_number = IntegerField("To group", validators=[InputRequired(message="Give a group number."), NumberRange(min=1)])
