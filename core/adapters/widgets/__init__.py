"""Streamlit widgets a page draws as one control, one module each; pages import the module
(``from core.adapters.widgets import canvas``).

- :mod:`~core.adapters.widgets.canvas`: a drawing canvas for one handwritten digit (CNN activations,
  autoencoder).
- :mod:`~core.adapters.widgets.signed_display`: how to show values below 0 and above 255 on an
  image (Convolution).

A section of one page's own goes to ``core/adapters/sections/<page>.py`` instead.
"""
