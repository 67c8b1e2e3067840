"""Neural Explainer's computing core.

Everything that computes lives here: NumPy teaching routines (convolution, pooling, neurons,
perceptron rules), image loading, Keras model builders and the model store. Importing ``core``
imports neither TensorFlow nor Streamlit; only the modules of ``core.adapters`` import
Streamlit, and only the model modules import TensorFlow/Keras.
"""
