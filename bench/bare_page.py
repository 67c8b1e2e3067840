"""The reference page of ``bench/bench_classroom.py``: one slider and one line of text.

Run alone with ``streamlit run bench/bare_page.py``. It measures what Streamlit itself costs per
click (websocket, session, script run) with next to no app code, so the app's pages can be given
as ratios against it. ``?fail=1`` in the URL makes it raise, to check that the benchmark counts
exceptions.
"""

import streamlit as st

value = st.slider("A number", 0, 100, 50, key="bare_x")
st.write(f"The slider is at {value}.")
if st.query_params.get("fail"):
    raise RuntimeError("bare_page.py was asked to fail (?fail=1)")
