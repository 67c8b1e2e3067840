"""Page-only Streamlit sections: the parts of one page that are long enough to read on their own, in
a module named after their page (``sections/convolution.py`` draws parts of ``pages/convolution.py``).

A section draws widgets and calls ``core``; it computes nothing itself. What several pages share lives
one level up: the page frame (``page_frame``), URL state, widgets, caches and the training-job panel.
"""
