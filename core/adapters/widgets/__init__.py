"""Streamlit widgets a page draws as one control, one module each; pages import the module
(``from core.adapters.widgets import canvas``).

- :mod:`~core.adapters.widgets.canvas`: a drawing canvas for one handwritten digit (CNN activations,
  autoencoder).
- :mod:`~core.adapters.widgets.signed_display`: how to show values below 0 and above 255 on an
  image (Convolution).
- :mod:`~core.adapters.widgets.padding`: a layer's padding, named or explicit pixels per side
  (Convolution, Layer arithmetic).
- :mod:`~core.adapters.widgets.course_examples`: a selectbox that loads one of the course's examples
  into the page's controls (Boolean neurons, Layer arithmetic).

A section of one page's own goes to ``core/adapters/sections/<page>.py`` instead.
"""
