"""Live sessions in the app: the lecturer leads, the class follows (on top of :mod:`core.data.rooms`).

``app.py`` calls :func:`frame` after ``st.navigation`` (the sidebar's controls, the projector's join
panel, the follower's bar) and :func:`after_page` after the page ran (the lecturer's view published).
A run with no room involved costs one check (:func:`involved`): no store is opened.

- **Lecturer** (lecture mode): "Start a live session" opens a room; its lead PIN is shown once, in a
  dialog, and then kept only in ``st.session_state`` (never in the page, never in the link, which the
  projector shows too). The projector shows the join code, the link ``…/?room=CODE`` and its QR code
  (:mod:`core.figures.room_qr`), and how many follow. Every run publishes the page's url path and
  query parameters with :meth:`~core.data.rooms.RoomStore.lead` when they changed; a timed fragment
  does the same every :data:`LEAD_EVERY_S` seconds (a fragment's own widgets change the link without
  a full run). After a reload the lecturer enters the code and the PIN again.
- **Follower** (``?room=CODE`` on any page): joins (wrong codes are limited per browser session by the
  store), then the browser waits for a change (:mod:`core.adapters.live_poll`: a script-only component
  long-polls this process's version route, no script run) and reruns the follower's page once when the
  room's version changed. That run reads the room's view record (one small record) before the page
  and, when its version changed, clears the page controls' session values
  (:data:`core.adapters.url_state.DECLARED`) and sets the lecturer's link: on the same page by writing
  ``st.query_params`` before the page draws its controls (one run per change), on another page with
  ``st.switch_page(page, query_params=...)``; either way the page seeds its controls from the
  lecturer's link. A timed fragment of its own sends the heartbeat (``follow``) every
  :data:`HEARTBEAT_EVERY_S` seconds, which keeps the student counted. Where no route can be added
  (AppTest) a fragment timed by the browser (:data:`FOLLOW_EVERY_S`) checks and moves instead.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import streamlit as st

from core.adapters import lecture_mode, live_examples, live_poll, live_questions, url_state
from core.adapters.catalog import PAGES
from core.adapters.errors import guarded
from core.data.room_records import PIN_DIGITS, RoomError
from core.data.rooms import FOLLOW_TTL_S, RoomStore, open_rooms
from core.data.shared_store import SharedStoreError, default_cache_dir, store_url
from core.figures.room_qr import PUBLIC_URL_ENV, ROOM_PARAM, check_public_url, join_link, join_qr_image

#: A follower's check of the room where the browser cannot wait (no version route): a timed fragment.
FOLLOW_EVERY_S = 1.0
#: A follower's heartbeat: three within the store's follower TTL.
HEARTBEAT_EVERY_S = FOLLOW_TTL_S / 3
#: The lecturer's fragment: followers counted, the link published if a fragment changed it.
LEAD_EVERY_S = 2.0
#: Link parameters that are the viewer's own, never the room's.
PRIVATE_PARAMS = ("lecture", ROOM_PARAM)

LEAD_KEY = "live_lead"  # {"code", "pin"}: this session leads (kept in session state only)
PIN_ONCE_KEY = "live_pin_once"  # the dialog shows the PIN on the next run, once
PUBLISHED_KEY = "live_published"
SHOW_QR_KEY = "live_show_qr"
FOLLOW_KEY = "live_follow"  # {"code", "version", "beat", "exploring"}: this session follows
MESSAGE_KEY = "live_message"  # a refusal to show once (wrong code, wrong PIN, ended room)
SESSION_KEY = "live_session_id"
CODE_INPUT_KEY, PIN_INPUT_KEY = "live_code_input", "live_pin_input"
_KEYS = (LEAD_KEY, FOLLOW_KEY, MESSAGE_KEY, PIN_ONCE_KEY)
WATCH_KEY = "live_follow_watch"  # the browser's wait for a change (static/live_follow.js)
#: Without an answer from the version route, the browser still asks Python this often (ms).
FALLBACK_EVERY_MS = 5000

_WATCH_JS = (Path(__file__).parent / "static" / "live_follow.js").read_text(encoding="utf-8")
_watch = st.components.v2.component("neural_explainer_live_follow", js=_WATCH_JS)


@st.cache_resource(max_entries=4, show_spinner=False)
def _rooms(url: str, cache_dir: str) -> RoomStore:
    return open_rooms(url)


def rooms() -> RoomStore:
    """The process's room store on ``$NEURAL_EXPLAINER_QUEUE_URL`` (shared by every session)."""
    return _rooms(store_url(), str(default_cache_dir()))


def session_id() -> str:
    """This browser session's id for the store's limits and answers (a reload is a new session)."""
    return st.session_state.setdefault(SESSION_KEY, secrets.token_urlsafe(16))


def involved() -> bool:
    """Whether this run has anything to do with a live session (the one check on a normal run)."""
    return (
        lecture_mode.is_lecture()
        or ROOM_PARAM in st.query_params
        or any(k in st.session_state for k in _KEYS)
    )


def page_name(page) -> str:
    """The room's name of a ``st.Page``: its url path, ``home`` for the default page."""
    return page.url_path or "home"


def page_script(name: str) -> str | None:
    """The script of the page named ``name`` in a room's view, or None for no page of this app."""
    if name == "home":
        return "pages/home.py"
    return next((p.script for p in PAGES if p.url_path == name), None)


def current_params() -> dict:
    """The link's parameters that make the view (the viewer's own ``lecture`` and ``room`` left out)."""
    return {k: v for k, v in st.query_params.to_dict().items() if k not in PRIVATE_PARAMS}


# --- the frame: before and after the page -----------------------------------------------------------


def frame(page) -> None:
    """Draw the live session's parts of this run: sidebar controls, the join panel, the follower's bar."""
    if not involved():
        return
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        st.error(message, icon=":material/error:")
    lead = st.session_state.get(LEAD_KEY)
    if lead is None and ROOM_PARAM in st.query_params:
        _join(str(st.query_params[ROOM_PARAM]))
    with st.sidebar:
        _sidebar(lead)
    if lead is not None:
        if st.session_state.pop(PIN_ONCE_KEY, False):
            _pin_dialog(lead["code"], lead["pin"])
        live_questions.lecturer_panel(rooms(), lead["code"], lead["pin"], session_id(), page_name(page))
        _join_panel(lead["code"], page_name(page))  # below an open question's histogram
    elif FOLLOW_KEY in st.session_state:
        _follower_bar(page_name(page))


def after_page(page) -> None:
    """Publish the lecturer's view once the page has written its controls to the link."""
    if LEAD_KEY in st.session_state:
        _publish(page_name(page))


def _publish(page: str) -> None:
    lead = st.session_state.get(LEAD_KEY)
    view = (page, current_params(), live_examples.lecturer_payload())  # the payload: photo, points
    if lead is None or st.session_state.get(PUBLISHED_KEY) == view:
        return
    try:
        rooms().lead(
            lead["code"], lead["pin"], live_examples.lead_view(page, view[1]), session_id=session_id()
        )
    except RoomError as exc:  # ended, expired or refused: this session no longer leads
        st.session_state.pop(LEAD_KEY, None)
        st.session_state[MESSAGE_KEY] = f"The live session stopped: {exc}"
        return
    except ValueError as exc:  # a view too large for the room: say so, keep leading
        st.warning(f"This view cannot be shared with the class: {exc}")
    st.session_state[PUBLISHED_KEY] = view


# --- the lecturer -----------------------------------------------------------------------------------


def _sidebar(lead: dict | None) -> None:
    if lead is not None:
        st.button("End the live session", key="live_end", on_click=_end, icon=":material/stop_circle:")
        st.toggle("Show the join code", key=SHOW_QR_KEY)
        return
    if not lecture_mode.is_lecture():
        return
    st.button(
        "Start a live session",
        key="live_start",
        on_click=_start,
        icon=":material/groups:",
        help="The class follows this screen: students join with a code, a link or a QR code. "
        "The lead PIN appears once, in a dialog: start before the projector shows this screen.",
    )
    with st.expander("Lead a live session again"):
        st.caption(f"After a reload: the session's code and its {PIN_DIGITS}-digit lead PIN.")
        st.text_input("Join code", key=CODE_INPUT_KEY, max_chars=8)
        st.text_input("Lead PIN", key=PIN_INPUT_KEY, type="password", max_chars=PIN_DIGITS + 4)
        st.button("Lead", key="live_relead", on_click=_lead_again)


@guarded
def _start() -> None:
    try:
        opened = rooms().open_room()
    except (RoomError, SharedStoreError, OSError) as exc:
        st.session_state[MESSAGE_KEY] = f"No live session could be started: {exc}"
        return
    st.session_state[LEAD_KEY] = {"code": opened.code, "pin": opened.pin}
    st.session_state[PIN_ONCE_KEY] = True
    st.session_state[SHOW_QR_KEY] = True
    st.session_state.pop(PUBLISHED_KEY, None)
    st.session_state.pop(FOLLOW_KEY, None)


@guarded
def _lead_again() -> None:
    code = str(st.session_state.get(CODE_INPUT_KEY, "")).strip().upper()
    pin = str(st.session_state.get(PIN_INPUT_KEY, ""))
    st.session_state[PIN_INPUT_KEY] = ""  # the PIN does not stay in the widget
    try:
        rooms().lead(code, pin, {"page": "home", "params": {}}, session_id=session_id())
    except ValueError as exc:  # RoomError, SharedStoreError: a wrong PIN, no room ...
        st.session_state[MESSAGE_KEY] = str(exc)
        return
    st.session_state[LEAD_KEY] = {"code": code, "pin": pin}
    st.session_state[SHOW_QR_KEY] = False
    st.session_state.pop(PUBLISHED_KEY, None)  # the next run publishes this page
    st.session_state.pop(FOLLOW_KEY, None)


@guarded
def _end() -> None:
    lead = st.session_state.pop(LEAD_KEY, None)
    st.session_state.pop(PUBLISHED_KEY, None)
    if lead is not None:
        try:
            rooms().end_room(lead["code"], lead["pin"], session_id=session_id())
        except RoomError:
            pass  # already ended or expired


@st.dialog("Your live session", width="large")
@guarded
def _pin_dialog(code: str, pin: str) -> None:
    st.markdown(f"Join code **{code}** · lead PIN")
    st.markdown(f"# {pin[:4]} {pin[4:]}")
    st.caption(
        "Write the PIN down now: it is shown only this once. After a reload, open "
        "*Lead a live session again* in the sidebar and enter the code and this PIN. "
        "Students never need it."
    )
    if st.button("I have noted the PIN", key="live_pin_done"):
        st.rerun()  # a run that does not open the dialog closes it


def _base_url() -> str:
    """The app's root for join links: ``$NEURAL_EXPLAINER_PUBLIC_URL`` when set (behind a proxy, or a
    projector laptop on ``127.0.0.1``), else as the lecturer's browser sees it (``st.context.url``
    without path and query). A malformed setting is said on the projector and not used."""
    import os
    from urllib.parse import urlsplit

    public = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if public:
        try:
            return check_public_url(public)
        except ValueError as exc:
            st.warning(f"The join link uses this browser's address: {exc}")
    parts = urlsplit(st.context.url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "http://localhost:8501/"
    base_path = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}/{base_path + '/' if base_path else ''}"


@st.cache_data(max_entries=16, show_spinner=False)
def _qr_png(link: str) -> bytes:
    return join_qr_image(link, kind="png")


def _join_panel(code: str, page: str) -> None:
    link = join_link(_base_url(), code)
    if st.session_state.get(SHOW_QR_KEY, True):
        with st.container(border=True):
            left, right = st.columns([3, 2], vertical_alignment="center")
            png = _qr_png(link)
            left.image(
                png,
                width=min(656, int.from_bytes(png[16:20], "big")),  # PNG width: its IHDR
                output_format="PNG",
            )
            with right:
                st.markdown(f"# Join: {code}")
                st.markdown(f"Scan the code or open **{link}**")
                _lead_status(code, page)
    else:
        _lead_status(code, page)


@st.fragment(run_every=LEAD_EVERY_S)
@guarded
def _lead_status(code: str, page: str) -> None:
    if _fragment_rerun():  # a full run publishes after the page (after_page)
        _publish(page)
    if LEAD_KEY not in st.session_state:
        st.rerun()  # the room ended: the whole page forgets it
    st.metric("Following", rooms().followers(code))


def _fragment_rerun() -> bool:
    """Whether this run reruns fragments only (the page's script did not run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


# --- the follower -----------------------------------------------------------------------------------


def _join(code: str) -> None:
    """A first visit of ``?room=CODE`` (or another code): follow it, or say why not."""
    code = code.strip().upper()
    following = st.session_state.get(FOLLOW_KEY)
    if following is not None and following["code"] == code:
        return
    try:
        view = rooms().join(code, session_id())
    except (RoomError, SharedStoreError) as exc:  # wrong, ended, limited; or no store reachable
        url_state.drop(ROOM_PARAM)  # a reload does not count it again
        st.session_state.pop(FOLLOW_KEY, None)
        st.error(str(exc), icon=":material/error:")
        return
    st.session_state[FOLLOW_KEY] = {"code": view.code, "version": None, "beat": 0.0, "exploring": False}


def _follower_bar(page: str) -> None:
    following = st.session_state[FOLLOW_KEY]
    with st.container(border=True):
        text, button = st.columns([3, 1], vertical_alignment="center")
        if following["exploring"]:
            text.markdown(f"Exploring on your own (live session **{following['code']}**)")
            button.button("Back to the lecturer", key="live_back", on_click=_back)
        else:
            text.markdown(f":material/cast: **Following the lecturer** (live session {following['code']})")
            button.button("Explore on my own", key="live_explore", on_click=_explore)
    if following["exploring"]:
        return
    base_path = st.get_option("server.baseUrlPath") or ""
    url = live_poll.serve(following["code"], rooms(), base_path)
    if url is None:
        _follow_tick(page)  # no version route in this process (AppTest): a timed check
        return
    _check(page, panel=_question_panel)  # this run moves to the lecturer's view, if it changed
    _heartbeat()
    _watch(  # the browser waits for the next change: then it reruns the whole page, once
        key=WATCH_KEY,
        data={
            "url": url,
            "version": following["version"],
            "poll_ms": int(live_poll.POLL_S * 1000),
            "fallback_ms": FALLBACK_EVERY_MS,
        },
        on_check_change=lambda: None,
        height=0,
    )


@guarded
def _explore() -> None:
    following = st.session_state.get(FOLLOW_KEY)
    if following is not None:
        following["exploring"] = True
        url_state.drop(ROOM_PARAM)
        try:
            rooms().unfollow(following["code"], session_id())
        except RoomError:
            pass


@guarded
def _back() -> None:
    following = st.session_state.get(FOLLOW_KEY)
    if following is not None:
        following.update(exploring=False, version=None, beat=0.0, moved=None)  # the next check moves back


@st.fragment(run_every=HEARTBEAT_EVERY_S)
@guarded
def _heartbeat() -> None:
    """Keep this follower counted; a change the browser missed, or the room's end, reruns the page."""
    following = st.session_state.get(FOLLOW_KEY)
    if following is None or following["exploring"] or not _fragment_rerun():
        return
    view = _read(rooms(), following)
    if view.version != following["version"]:
        st.rerun(scope="app")


@st.fragment
@guarded
def _question_panel(store, code: str, question: dict | None, session_id: str) -> None:
    """The open question and its answer form: sending an answer reruns only this part."""
    live_questions.follower_panel(store, code, question, session_id)


@st.fragment(run_every=FOLLOW_EVERY_S)
@guarded
def _follow_tick(page: str) -> None:
    """A browser-timed check where no version route can be added (see :func:`_check`)."""
    _check(page)


def _read(store: RoomStore, following: dict):
    """The room's view record (and the heartbeat when it is due); a room that ended reruns the page
    without it."""
    now = time.monotonic()
    try:
        if now - following["beat"] >= 0.8 * HEARTBEAT_EVERY_S:  # the browser's timer may come early
            store.follow(following["code"], session_id())
            following["beat"] = now
        view = store.view(following["code"])
    except RoomError:
        view = None
    if view is None:
        st.session_state.pop(FOLLOW_KEY, None)
        st.session_state[MESSAGE_KEY] = "The live session has ended: you keep this view."
        st.rerun(scope="app")
    return view


def _target(page: str, view, following: dict) -> str | None:
    """The script to move to for ``view``, or None: no page of ours, already there, or already moved
    there (a page may add its defaults to the link, so the link can differ from the lecturer's)."""
    script = page_script(view.page)
    target = [view.page, view.params]  # a new version may only open or reveal a question
    if (
        script is None
        or target == following.get("moved")
        or (view.page, view.params) == (page, current_params())
    ):
        return None
    following["moved"] = target
    return script


def _clear_controls() -> None:
    """Forget the page controls' session values: the lecturer's link sets them."""
    for key in list(url_state.DECLARED):
        if key != lecture_mode.LECTURE_KEY and key in st.session_state:
            del st.session_state[key]


def _check(page: str, *, panel=live_questions.follower_panel) -> None:
    """Read the room's view (one record), draw its open question with ``panel`` and move to the view
    when its version changed.

    In a full run (before the page) a move on the same page sets the link's parameters and clears the
    controls' session values, so the page draws the lecturer's view in this same run; a move to
    another page, or any move from a fragment's own rerun (the timed check), goes through
    ``st.switch_page``.
    """
    following = st.session_state.get(FOLLOW_KEY)
    if following is None or following["exploring"]:
        return
    store = rooms()
    view = _read(store, following)
    panel(store, following["code"], view.question, session_id())
    if view.version == following["version"]:
        return
    following["version"] = view.version
    example = live_examples.receive(store, following["code"], view.payload)  # the lecturer's photo, points
    script, in_fragment = _target(page, view, following), _fragment_rerun()
    if script is None:
        if example and in_fragment:  # the same view with the lecturer's example: draw it again
            st.rerun(scope="app")
        return
    _clear_controls()
    if in_fragment or view.page != page:
        st.switch_page(script, query_params={**view.params, ROOM_PARAM: following["code"]})
    own = {k: v for k, v in st.query_params.to_dict().items() if k in PRIVATE_PARAMS}
    st.query_params.from_dict({**view.params, **own})
