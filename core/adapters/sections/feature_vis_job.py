"""The Deep features page's "compute another map" part: a student asks the server for the feature
visualisation of a map that is not shipped; every student then sees it.

The ascent never runs in a script thread: the request is a job on the shared training queue
(:mod:`core.training.jobs` through :mod:`core.adapters.training_queue`, which names this browser
session, so it counts in the one-waiting-job-per-session rule and a full queue is a short warning).
The same map asked by thirty students is one job (the config's content hash keys it); the consumer
stores the picture in the model cache (:mod:`core.training.feature_vis_job`), where this section
finds it for everyone. Session keys carry the prefix ``dfv_``: ``dfv_job`` (the config while it
waits or runs), ``dfv_full`` (the "queue is full" notice), ``dfv_error``, ``dfv_done``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters import training_queue
from core.adapters.errors import guarded
from core.data.feature_vis import climbed, picture
from core.models.feature_vis_config import LAYER_CHANNELS, STEP_CHOICES, FeatureVisConfig
from core.training import feature_vis_job

PREFIX = "dfv"


@st.cache_data(ttl=10, max_entries=16, show_spinner=False)
def computed_pictures(layer: str) -> list[tuple[dict, np.ndarray]]:
    """Key: ``layer``. The pictures of ``layer`` computed on this server (by any student), with their
    entries, by channel; re-read at most every 10 s, and at once when this session's job ends."""
    directory = feature_vis_job.results_dir()
    return [(e, picture(e, directory)) for e in feature_vis_job.computed(layer)]


def compute_another(layer: str, channel: int) -> None:
    """Below the shipped feature visualisations, in an expander: the maps of ``layer`` computed on
    this server, a form that asks for another (map ``channel`` proposed), and this session's job's
    progress."""
    _take_outcome()
    with st.expander(f"Compute another map of {layer} on the server", expanded=_busy()):
        _body(layer, channel)


def _busy() -> bool:
    """Whether this session has a job, a result or a failure to show (the expander then opens)."""
    return any(f"{PREFIX}_{name}" in st.session_state for name in ("job", "error", "done", "full"))


def _body(layer: str, channel: int) -> None:
    pictures = computed_pictures(layer)
    if pictures:
        st.markdown(f"**Computed on this server** for {layer}, by anyone using this server:")
        cols = st.columns(4)
        for i, (entry, rgb) in enumerate(pictures):
            climb = (
                f"mean {entry['activation_first']:.3g} → {entry['activation_last']:.3g}"
                if climbed(entry)
                else "no climb"
            )
            caption = f"map {entry['channel']}, {entry['steps']} steps: {climb}, {entry['seconds']:.0f} s"
            cols[i % 4].image(rgb, caption=caption, width="stretch")
    n_maps = LAYER_CHANNELS[layer]
    with st.form(f"{PREFIX}_form", border=False):
        c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
        c1.number_input(
            f"Another map of {layer} (0–{n_maps - 1})",
            min_value=0,
            max_value=n_maps - 1,
            value=min(max(int(channel), 0), n_maps - 1),
            step=1,
            key=f"{PREFIX}_channel_{layer}",
        )
        c2.select_slider("Ascent steps", STEP_CHOICES, value=96, key=f"{PREFIX}_steps")
        c3.form_submit_button("Compute", on_click=_submit, args=(layer,))
    st.caption(
        "The ascent runs on the server's training queue, one job at a time, shared: a map someone "
        "already asked for is computed once and shown to everyone (96 steps: from a few seconds for "
        "block1 to about a minute for block5 on 2 CPU cores)."
    )
    training_queue.show_notice(f"{PREFIX}_full")
    if f"{PREFIX}_error" in st.session_state:
        st.error(f"The ascent failed: {st.session_state[f'{PREFIX}_error']}. Press Compute to retry.")
    if f"{PREFIX}_done" in st.session_state:
        st.success(st.session_state[f"{PREFIX}_done"])
    job = st.session_state.get(f"{PREFIX}_job")
    if job is not None:
        progress(job.key, job.steps)


@guarded
def _submit(layer: str) -> None:
    """The form's callback: queue the asked map for this session (replacing its waiting job)."""
    config = FeatureVisConfig(
        layer,
        int(st.session_state[f"{PREFIX}_channel_{layer}"]),
        steps=int(st.session_state[f"{PREFIX}_steps"]),
    )
    for name in ("error", "done"):
        st.session_state.pop(f"{PREFIX}_{name}", None)
    if training_queue.submit(_queue(), config, feature_vis_job.feature_vis_job, notice_key=f"{PREFIX}_full"):
        st.session_state[f"{PREFIX}_job"] = config


def _take_outcome() -> None:
    """Once this session's job has ended: forget it, keep its success or failure for the page, and
    re-read the computed pictures."""
    config = st.session_state.get(f"{PREFIX}_job")
    if config is None:
        return
    view = _queue().status(config.key)
    if view is not None and not view.finished:
        return
    del st.session_state[f"{PREFIX}_job"]
    computed_pictures.clear()
    if view is None:
        st.session_state[f"{PREFIX}_error"] = "the server's queue lost the job (it was reset)"
    elif view.status == "done":
        result = view.result if isinstance(view.result, dict) else {}
        st.session_state[f"{PREFIX}_done"] = (
            f"Map {config.channel} of {config.layer} is ready ({config.steps} steps, "
            f"{result.get('seconds', 0):.0f} s on this server): it is shown above."
        )
    else:
        st.session_state[f"{PREFIX}_error"] = view.error or f"the job ended as {view.status!r}"


def _queue():
    from core.training import jobs

    return jobs.default_queue()


@st.fragment(run_every=1.0)
@guarded
def progress(key: str, steps: int) -> None:
    """The shared job's state, polled every second while it waits or runs; once it ends, a full rerun
    lets :func:`compute_another` show the picture."""
    training_queue.show_progress(
        key, lambda view: f"Gradient ascent: step {round(view.fraction * steps)}/{steps}"
    )
