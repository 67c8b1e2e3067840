"""URL state: every control a page has is in its link, so a shared link (or a reconnect to another
worker) shows the same view.

A page declares its URL parameters once, as a tuple of :class:`UrlParam` near its top (name in the
link, widget key, type, range or choices, default), and calls :func:`sync` on that tuple before it
draws the widgets; a fragment whose widgets are in the link calls :func:`sync` on its own parameters
at its top, so a fragment rerun updates the link too::

    URL = (UrlParam("stride", "conv_stride", 1, kind=int, lo=1, hi=8),
           UrlParam("padding", "conv_padding", "valid", choices=("valid", "same", "full")))
    url_state.sync(URL)
    stride = st.slider("Stride", 1, 8, key="conv_stride")

Values from a hand-edited link are never trusted: a number outside ``lo``/``hi`` (the widget's range)
is clamped into it, and anything else that is not a value of the widget (not a number, NaN or
infinite, not among ``choices``, a text longer than :data:`MAX_TEXT_CHARS`) gives the default.

Streamlit's own ``bind="query-params"`` does not fit: it resets an out-of-range value to the
default instead of clamping it, names each parameter after the widget key (every shared link would
change) and refuses writes to a bound key through ``st.query_params``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

MAX_TEXT_CHARS = 500
"""The longest free-text value (a ``str`` parameter without ``choices``) a link may set."""

#: Every parameter declared so far in this process, by widget key (filled by :func:`seed`): a live
#: session's follower clears them before it moves to the lecturer's link (``core.adapters.live_session``).
DECLARED: dict[str, UrlParam] = {}

_KINDS = (int, float, str, bool, list)
_INVALID = object()
_TRUE, _FALSE = ("1", "true", "True"), ("0", "false", "False")


@dataclass(frozen=True)
class UrlParam:
    """One control mirrored in the link: ``?<name>=<value>`` <-> ``st.session_state[<key>]``.

    Parameters
    ----------
    name : str
        The parameter's name in the link; keep it once links are shared.
    key : str
        The widget's session-state key.
    default : object or None
        The value when the link does not give a valid one. ``None``: the page sets the default
        itself (one that depends on data, e.g. the centre of a latent plane) with
        ``st.session_state.setdefault`` after :func:`sync`; until then nothing is written.
    kind : {int, float, str, bool, list}
        How the text of the link is read. ``bool`` is written ``1`` / ``0``; ``list`` is a list of
        texts (a multiselect), written comma-separated: its ``choices`` are the allowed items, and
        an item among none of them is dropped.
    lo, hi : float, optional
        The widget's range (numbers only): a value outside it is clamped to it.
    step : float, optional
        The widget's grid (floats only): a value is rounded to the nearest multiple.
    choices : iterable, optional
        The widget's options; a value among none of them gives the default.
    when : tuple (key, value or tuple of values), optional
        Write the parameter only while ``st.session_state[key]`` is (one of) ``value``: a control
        shown in one mode only, or two controls of different modes sharing one parameter name.
        It is read from the link in every mode.
    aliases : mapping of str to str, optional
        Former link texts and the values they stand for now (a choice renamed after links were
        shared: ``{"former_key": "new_key"}``); the link is rewritten with the new text.

    Raises
    ------
    ValueError
        If ``kind`` is not int, float, str or bool, ``lo > hi``, a range or step is given for a
        non-number, ``choices`` is empty, ``default`` is not a valid value of the parameter, or an
        alias stands for a value that is not a valid value either.
    """

    name: str
    key: str
    default: Any
    kind: type = str
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    choices: Iterable | None = None
    when: tuple | None = None
    aliases: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(
                f"UrlParam {self.name!r}: kind must be int, float, str, bool or list, not {self.kind!r}"
            )
        numeric = self.kind in (int, float)
        if not numeric and (self.lo is not None or self.hi is not None or self.step is not None):
            raise ValueError(
                f"UrlParam {self.name!r}: lo, hi and step are for int and float parameters; "
                f"give choices for a {self.kind.__name__}"
            )
        if self.lo is not None and self.hi is not None and self.lo > self.hi:
            raise ValueError(f"UrlParam {self.name!r}: lo={self.lo} is above hi={self.hi}; swap them")
        if self.step is not None and not self.step > 0:
            raise ValueError(f"UrlParam {self.name!r}: step must be positive, got {self.step}")
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))  # a dict gives its keys
            if not self.choices:
                raise ValueError(f"UrlParam {self.name!r}: choices is empty; give the widget's options")
        if self.when is not None and (not isinstance(self.when, tuple) or len(self.when) != 2):
            raise ValueError(
                f"UrlParam {self.name!r}: when must be a (session key, value) pair, got {self.when!r}"
            )
        if self.aliases is not None:
            object.__setattr__(self, "aliases", tuple(dict(self.aliases).items()))  # hashable, like choices
            wrong = [old for old, new in self.aliases if self.parse(new) != new]
            if wrong:
                raise ValueError(
                    f"UrlParam {self.name!r}: the aliases {wrong} stand for no valid value; "
                    "map each former text to one of the choices"
                )
        if self.kind is list and isinstance(self.default, tuple):
            object.__setattr__(self, "default", list(self.default))
        if self.default is not None and self._clean(self.default, _INVALID) != self.default:
            raise ValueError(
                f"UrlParam {self.name!r}: the default {self.default!r} is not a valid value "
                "(outside lo/hi, off the step grid or not among choices)"
            )

    def clean(self, value: Any) -> Any:
        """``value`` as the widget can show it: clamped into ``lo``/``hi``, on the ``step`` grid, or
        the default when it is not a value of this parameter (wrong type, NaN, not a choice)."""
        return self._clean(value, self.default)

    def _clean(self, value: Any, fallback: Any) -> Any:
        if self.kind is bool:
            return value if isinstance(value, bool) else fallback
        if self.kind is list:
            return self._clean_list(value, fallback)
        if self.kind is str:
            ok = isinstance(value, str) and (self.choices is not None or len(value) <= MAX_TEXT_CHARS)
        else:
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                ok = False
            elif isinstance(value, numbers.Integral):
                ok, value = True, int(value)  # any size: clamped below, never made a float
            else:
                ok = math.isfinite(value) and (self.kind is float or float(value).is_integer())
            if ok:
                value = self._clamp(self.kind(value))
                if self.step is not None:  # after the clamp: only an unbounded value overflows
                    try:
                        value = self._clamp(self.kind(round(round(value / self.step) * self.step, 10)))
                    except OverflowError:
                        return fallback
        if not ok or (self.choices is not None and value not in self.choices):
            return fallback
        return value

    def _clean_list(self, value: Any, fallback: Any) -> Any:
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(v, str) and "," not in v for v in value
        ):
            return fallback
        items = [v for v in value if v and (self.choices is None or v in self.choices)]
        if not items or sum(len(v) + 1 for v in items) > MAX_TEXT_CHARS:
            return fallback
        return items

    def _clamp(self, value):
        if self.lo is not None:
            value = max(value, self.kind(self.lo))
        if self.hi is not None:
            value = min(value, self.kind(self.hi))
        return value

    def parse(self, text: str | None) -> Any:
        """The value a link's ``text`` gives (see :meth:`clean`); the default for ``None`` or garbage."""
        if text is None:
            return self.default
        if self.aliases:
            text = dict(self.aliases).get(text, text)
        if self.kind is bool:
            return True if text in _TRUE else False if text in _FALSE else self.default
        if self.kind is list:
            return self.clean(text.split(",")) if len(text) <= MAX_TEXT_CHARS else self.default
        try:
            value = self.kind(text)
        except (TypeError, ValueError, OverflowError):
            return self.default
        return self.clean(value)

    def text(self, value: Any) -> str | None:
        """How ``value`` is written in the link (after :meth:`clean`); ``None`` when there is nothing
        to write (no value yet and no default)."""
        value = self.clean(value)
        if value is None:
            return None
        if self.kind is list:
            return ",".join(value)
        return str(int(value)) if self.kind is bool else str(value)

    def active(self, state: Mapping) -> bool:
        """Whether the link shows this parameter now (see ``when``)."""
        if self.when is None:
            return True
        key, wanted = self.when
        return state.get(key) in (wanted if isinstance(wanted, tuple) else (wanted,))


def seed(params: Iterable[UrlParam]) -> None:
    """Put each parameter's value from the link into ``st.session_state`` where the key has none yet
    (a first visit, or a widget that was not drawn on the last run); writes nothing to the link."""
    for param in params:
        DECLARED.setdefault(param.key, param)
        if param.key not in st.session_state:
            value = param.parse(st.query_params.get(param.name))
            if value is not None:
                st.session_state[param.key] = value


def drop(name: str) -> None:
    """Remove ``name`` from the link: a parameter that starts something once and is no control of a
    page (a live session's ``?room=CODE`` once the student stops following, or a wrong code)."""
    if name in st.query_params:
        del st.query_params[name]


def sync(params: Iterable[UrlParam]) -> None:
    """Mirror ``params`` between the link and the widgets: call it before the widgets are drawn.

    Each key without a value yet gets the link's (clamped) value or the default (:func:`seed`);
    then every active parameter's current value is written to the link. A widget's new value is
    in ``st.session_state`` when the rerun it causes starts, and callbacks have run by then, so the
    link shows what the widgets are about to show. Only changed parameters are written.
    """
    params = tuple(params)
    seed(params)
    for param in params:
        if param.key in st.session_state and param.active(st.session_state):
            text = param.text(st.session_state[param.key])
            if text is not None and st.query_params.get(param.name) != text:
                st.query_params[param.name] = text
