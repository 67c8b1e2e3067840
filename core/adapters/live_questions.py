""" "Predict, then reveal" in a live session: the lecturer asks, the class answers, the projector reveals.

:mod:`core.adapters.live_session` calls :func:`lecturer_panel` for the session that leads and
:func:`follower_panel` from the follower's timed fragment (the same one read of the room's view: no
second poll). The store (:class:`core.data.rooms.RoomStore`) keeps the question's computed answer
hidden until the reveal and counts one answer per browser session, whichever process receives it.

- **Lecturer.** The sidebar's *Ask the class* offers the page's ready-made question
  (:data:`core.adapters.question_builders.BUILDERS`, built from this session's state and the facts the
  page noted with :func:`note`) and a free question (a number or 2 to 8 choices, an optional answer).
  The projector shows the open question with its answers as a live histogram (a fragment every
  :data:`ANSWERS_EVERY_S` seconds) and **Reveal**, which puts the app's answer beside it.
- **Follower.** The open question appears in the follow bar: a number input or radio buttons and
  *Send my answer*. A reload is a new browser session, which may answer again: the panel says so.
- **The page keeps its answer.** While a question about a page is open and not revealed, the page
  hides its own computed result (:func:`answer_hidden`), on the projector and on the followers' screens.
"""

from __future__ import annotations

import streamlit as st

from core.adapters import display, errors
from core.adapters.live_offers import FOLLOW_KEY
from core.adapters.question_builders import BUILDERS, FACTS_KEY, page_question
from core.data.room_questions import MAX_CHOICE_CHARS, MAX_CHOICES, MAX_PROMPT_CHARS, Question
from core.data.room_records import RoomError
from core.data.shared_store import SharedStoreError
from core.figures.room_answers import answer_label, answers_figure

#: The projector's histogram refresh, seconds.
ANSWERS_EVERY_S = 2.0
OPEN_KEY = "liveq_open"  # lecturer: {"code", "id", "prompt"} of the question on the projector
ANSWERED_KEY = "liveq_answered"  # follower: {"<code>:<id>": "the answer sent"}
HIDDEN_KEY = "liveq_hidden"  # follower: {"page", "id"} of the open question, until it is revealed
NOTICE_KEY = "liveq_notice"  # a message for the next run (refused, or nothing to ask here)
FREE_KEYS = ("liveq_free_prompt", "liveq_free_kind", "liveq_free_choices", "liveq_free_answer")


def note(page: str, **values) -> None:
    """A page records what its ready-made question needs beyond its controls (an image's shape, a
    small matrix). Values must be small: they stay in this session's state."""
    st.session_state.setdefault(FACTS_KEY, {})[page] = values


#: What a page shows in place of its result while the question is open.
HIDDEN_TEXT = "hidden until the reveal"


def answer_hidden(page: str) -> bool:
    """Whether ``page`` must hide its own computed result now: a live-session question about it is
    open and not yet revealed (the lecturer asked it here, or this session follows the room that did).
    Pages call it where they print what the question asks (an output size, a verdict, an epoch)."""
    asked = st.session_state.get(OPEN_KEY)
    if asked is not None and asked.get("page") == page and not asked.get("revealed"):
        return True
    hidden = st.session_state.get(HIDDEN_KEY)
    following = st.session_state.get(FOLLOW_KEY)  # a student exploring on their own sees their results
    return (
        hidden is not None
        and hidden.get("page") == page
        and following is not None
        and not following.get("exploring")
    )


def _format(value) -> str:
    return answer_label(value) or "—"


# --- the lecturer -----------------------------------------------------------------------------------


def lecturer_panel(store, code: str, pin: str, session_id: str, page: str) -> None:
    """The sidebar's questions and, while one is open, the projector's histogram."""
    lead = (store, code, pin, session_id)
    with st.sidebar.expander("Ask the class", expanded=OPEN_KEY not in st.session_state):
        notice = st.session_state.pop(NOTICE_KEY, None)
        if notice:
            st.warning(notice)
        st.button(
            "Ask about this view",
            key="liveq_ask_page",
            type="primary",
            on_click=_ask_page,
            args=(*lead, page),
            icon=":material/quiz:",
            disabled=page not in BUILDERS,
            help="The page's own question; the app computes the answer and keeps it hidden until you "
            "reveal it."
            if page in BUILDERS
            else "This page has no ready-made question: ask your own.",
        )
        st.text_input("Or your own question", key=FREE_KEYS[0], max_chars=MAX_PROMPT_CHARS)
        kind = st.radio("Answered with", ["a number", "a choice"], key=FREE_KEYS[1], horizontal=True)
        if kind == "a choice":
            st.text_area(
                f"Choices, one a line (2 to {MAX_CHOICES})",
                key=FREE_KEYS[2],
                max_chars=MAX_CHOICES * (MAX_CHOICE_CHARS + 1),
            )
            st.text_input("The right choice (optional)", key=FREE_KEYS[3], max_chars=MAX_CHOICE_CHARS)
        else:
            st.text_input("The right number (optional)", key=FREE_KEYS[3], max_chars=24)
        st.button("Ask my question", key="liveq_ask_free", on_click=_ask_free, args=(*lead, page))
    if OPEN_KEY in st.session_state:
        _answers(*lead)


@errors.guarded
def _ask_page(store, code: str, pin: str, session_id: str, page: str) -> None:
    try:
        question = page_question(page, st.session_state)
    except (ValueError, KeyError, TypeError) as exc:  # a view the builder cannot ask about
        question, why = None, f" ({exc})"
    else:
        why = ""
    if question is None:
        st.session_state[NOTICE_KEY] = (
            "This view has no ready-made question"
            + why
            + ": ask your own below, or open another part of the page."
        )
        return
    _ask(store, code, pin, session_id, question, page)


@errors.guarded
def _ask_free(store, code: str, pin: str, session_id: str, page: str) -> None:
    prompt = str(st.session_state.get(FREE_KEYS[0], "")).strip()
    answer = str(st.session_state.get(FREE_KEYS[3], "") or "").strip()
    try:
        if st.session_state.get(FREE_KEYS[1]) == "a choice":
            choices = tuple(
                c.strip() for c in str(st.session_state.get(FREE_KEYS[2], "")).splitlines() if c.strip()
            )
            question = Question(prompt, "choice", choices, answer or None)
        else:
            question = Question(prompt, "numeric", answer=float(answer) if answer else None)
    except ValueError as exc:
        st.session_state[NOTICE_KEY] = f"This question cannot be asked: {exc}"
        return
    _ask(store, code, pin, session_id, question, page)


def _ask(store, code: str, pin: str, session_id: str, question: Question, page: str) -> None:
    try:
        qid = store.ask(code, pin, question, session_id=session_id)
    except (RoomError, SharedStoreError) as exc:
        st.session_state[NOTICE_KEY] = f"The question was not asked: {exc}"
        return
    st.session_state[OPEN_KEY] = {
        "code": code,
        "id": qid,
        "prompt": question.prompt,
        "page": page,
        "revealed": False,
    }


@st.fragment(run_every=ANSWERS_EVERY_S)
@errors.guarded
def _answers(store, code: str, pin: str, session_id: str) -> None:
    """The projector's open question: the answers as a histogram, Reveal, then the app's answer."""
    open_q = st.session_state.get(OPEN_KEY)
    if open_q is None or open_q["code"] != code:
        return
    try:
        histogram = store.histogram(code, open_q["id"])
    except (RoomError, SharedStoreError) as exc:
        st.warning(f"The question's answers cannot be read: {exc}")
        return
    if histogram.revealed and not open_q.get("revealed"):  # the page shows its result again
        open_q["revealed"] = True
        st.rerun(scope="app")
    with st.container(border=True):
        st.markdown(f"### {open_q['prompt']}")
        chart, side = st.columns([3, 1], vertical_alignment="center")
        with chart:
            display.show_figure(answers_figure(histogram), key="liveq_histogram")
        side.metric("Answers", histogram.total)
        if histogram.revealed:
            side.metric("The app's answer", _format(histogram.answer))
            side.button("Close the question", key="liveq_close", on_click=_close)
        else:
            side.button(
                "Reveal",
                key="liveq_reveal",
                type="primary",
                on_click=_reveal,
                args=(store, code, pin, session_id, open_q["id"]),
            )


@errors.guarded
def _reveal(store, code: str, pin: str, session_id: str, qid: str) -> None:
    try:
        store.reveal(code, pin, qid, session_id=session_id)
    except (RoomError, SharedStoreError) as exc:
        st.session_state[NOTICE_KEY] = f"The answer was not revealed: {exc}"


@errors.guarded
def _close() -> None:
    st.session_state.pop(OPEN_KEY, None)


# --- the follower -----------------------------------------------------------------------------------


def follower_panel(store, code: str, question: dict | None, session_id: str) -> None:
    """The room's open question (from the view record just read) with an answer form, or its answer."""
    _hide_while_open(question)
    if not question:
        return
    qid, done = str(question["id"]), st.session_state.get(ANSWERED_KEY, {})
    sent = done.get(f"{code}:{qid}")
    with st.container(border=True):
        st.markdown(f"**Question:** {question['prompt']}")
        if question.get("revealed"):
            st.markdown(
                f"The app's answer: **{_format(question.get('answer'))}**"
                + (f" · you said {sent}" if sent is not None else "")
            )
            return
        if sent is not None:
            st.success(
                f"Your answer {sent}. One answer per browser session is counted: "
                "a reload starts a new session, which could answer again."
            )
            return
        if question["kind"] == "choice":
            st.radio("Your answer", question["choices"], key=f"liveq_choice_{qid}", index=None)
        else:
            st.number_input("Your answer", key=f"liveq_num_{qid}", value=None, step=1.0, format="%g")
        st.button(
            "Send my answer",
            key=f"liveq_send_{qid}",
            type="primary",
            on_click=_send,
            args=(store, code, qid, question["kind"], session_id),
        )
        st.caption("Anonymous. One answer per browser session (a reload may answer again).")


def _hide_while_open(question: dict | None) -> None:
    """Remember which page hides its result (the room's open, unrevealed question); when that changed
    in a fragment's rerun, rerun the whole page so that it hides or shows its result."""
    open_now = question and not question.get("revealed") and question.get("page")
    hidden = {"page": str(question["page"]), "id": str(question["id"])} if open_now else None
    if st.session_state.get(HIDDEN_KEY) == hidden:
        return
    if hidden is None:
        st.session_state.pop(HIDDEN_KEY, None)
    else:
        st.session_state[HIDDEN_KEY] = hidden
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:  # a full run draws the page after this
        st.rerun(scope="app")


@errors.guarded
def _send(store, code: str, qid: str, kind: str, session_id: str) -> None:
    value = st.session_state.get(f"liveq_choice_{qid}" if kind == "choice" else f"liveq_num_{qid}")
    if value is None:
        st.toast("Pick or type an answer first.")
        return
    try:
        counted = store.answer(code, qid, session_id, value)
    except (RoomError, SharedStoreError, ValueError) as exc:
        st.toast(f"Not counted: {exc}")
        return
    st.session_state.setdefault(ANSWERED_KEY, {})[f"{code}:{qid}"] = (
        _format(value)
        if counted
        else "(not counted: this browser session had answered already; its first answer counts)"
    )
