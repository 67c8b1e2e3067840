"""Training a CNN: the loss, one gradient step, overfitting and the regularisers, with the numbers.

Opens on shipped results (``assets/training/``, made by ``python -m core.training.regularisation``):
nothing trains when the page opens. A new configuration is a shared job on the training queue
(``core.training.jobs``) that this page only watches; its result joins the table for everyone.
Sources: ``000_05cde12013bfe355.txt`` L861-L966 and L1066-L1122, ``001_0ab6af07a5a8fe8c.txt`` L325-L349.
"""
import numpy as np
import streamlit as st

from core.adapters import cached, training_queue, ui, url_state
from core.figures.models import kernels_grid_figure
from core.figures.training import (curves_figure, digits_grid_figure, histograms_figure, loss_curve_figure,
                                   loss_surface_figure, masks_figure, probabilities_figure)
from core.maths import losses
from core.models.regularisation import (SEED_SHEAR_FACTOR, RegularisationConfig, config_from_dict, default_grid,
                                         keras_code)
from core.training import jobs as training_jobs, regularisation as reg

ui.require_app_frame()

st.title("Training a CNN")
st.markdown("Training is a loop: a **forward pass** gives probabilities, the **cross-entropy loss** says "
            "how wrong they are, **backpropagation** gives the gradient dL/dW, and the weights take a step "
            "**w ← w − η·dL/dW** (seed 000, L871-L895). Then: a network that learns 1,000 images too well "
            "(**overfitting**), and the **regularisers** that fight it, compared on the same curves.")

# --- 1. softmax and cross-entropy -----------------------------------------------------------------
st.header("1 · Softmax and cross-entropy")
url_state.url_default("train_p7", "p7", 0.1, cast=float, bounds=(0.01, 0.99))
p7 = round(float(st.slider("The network's probability for the true class, p(7)", 0.01, 0.99, step=0.01,
                           key="train_p7")), 2)
url_state.sync_url(p7=p7)
target, probs = losses.one_hot(7), losses.probabilities_with(p7)
loss = float(losses.cross_entropy(target, probs))
grid = np.linspace(0.01, 0.99, 99)
c1, c2 = st.columns(2)
with c1:
    ui.show_figure(probabilities_figure(probs, target, title="Target 7 = [0 0 0 0 0 0 0 1 0 0] and the output"),
                   key="train_probs")
with c2:
    ui.show_figure(loss_curve_figure(grid, -np.log(grid), current=p7, current_loss=loss, mixup_losses=[
        float(losses.softmax_twice_loss(target, losses.probabilities_with(p))) for p in grid]), key="train_loss_curve")
st.markdown(f"**Loss = −Σ tᵢ·ln pᵢ = −ln p(7) = −ln {p7:.2f} = {loss:.4f}**: only the true class counts. "
            "An untrained network gives every class 0.1, so it starts at −ln 0.1 = **2.3026** (seed 000 L873-L874 "
            "prints that output with 13 entries; with 10 classes it is 0.1 ten times).")
with st.expander("Logits, softmax and `from_logits`: the seed's code mixes them up", expanded=not ui.is_lecture()):
    logits = np.log(probs) + 1.0                      # any logits with these probabilities (softmax ignores + c)
    st.markdown("The last Dense layer gives **logits** z (any real numbers); **softmax** turns them into "
                "probabilities pᵢ = e^zᵢ / Σⱼ e^zⱼ. For the output above, e.g. z = "
                f"`{np.array2string(logits, precision=2, separator=', ')}` → softmax → "
                f"`{np.array2string(losses.softmax(logits), precision=3, separator=', ')}`.")
    twice = float(losses.softmax_twice_loss(target, probs))
    st.table({"model ends with": ["softmax (probabilities)", "Dense(10) (logits)", "softmax (probabilities)"],
              "loss": ["from_logits=False", "from_logits=True", "from_logits=True  ✗ (seed 000 L1104 + L1113)"],
              "loss value": [f"{loss:.4f}", f"{float(losses.cross_entropy_from_logits(target, logits)):.4f}",
                             f"{twice:.4f}"]})
    st.markdown("The mix-up applies softmax twice: the probabilities (all in [0, 1]) are taken as logits, "
                "so the second softmax is nearly uniform and the loss stays between 1.46 and 2.46 even for a "
                "confident, correct network (dashed curve above): the gradient that should push p(7) up "
                "almost vanishes. Pair a softmax output with `from_logits=False`, or logits with `from_logits=True`.")

with ui.loading_models():     # TensorFlow (tape, Keras layers) and the training queue: after the title
    jobs = training_jobs.default_queue()
    results = cached.training_results()

# --- 2. one gradient step ---------------------------------------------------------------------------
st.header("2 · One gradient step, with the numbers")
st.markdown("The smallest network: one Dense layer (784 × 10 weights + 10 biases, all **0**, so the "
            "output is the uniform 0.1) and a softmax, on one test digit 7.")
RATES = [0.0001, 0.001, 0.01, 0.1, 1.0]
url_state.url_default("train_lr", "lr", 0.01, cast=float, choices=RATES)
url_state.url_default("train_seven", "seven", 0, cast=int, bounds=(0, 19))
c1, c2 = st.columns(2)
eta = c1.select_slider("Learning rate η", RATES, key="train_lr")
index = int(c2.number_input("Which test digit 7 (0-19)", 0, 19, key="train_seven"))
url_state.sync_url(lr=eta, seven=index)
x = cached.sevens()[index].reshape(-1)
pixel = int(np.argmax(x))
checked = ((pixel, 7), (pixel, 0))
step = losses.one_gradient_step(x, 7, eta, checked=checked)
tape = cached.tape_gradient(index, checked)
st.markdown(f"**Forward:** z = x·W + b = 0 → p = 0.1 each → loss **{step['loss_before']:.4f}** "
            f"(TensorFlow: {tape['loss']:.4f}). **Backward:** dL/dz = p − t, so dL/dW = x ⊗ (p − t): "
            "every column of the gradient is the digit itself, times −0.9 for class 7 and +0.1 for the others.")
st.table({"weight": [f"W[{pixel}, {j}] (brightest pixel, class {j})" for _, j in checked],
          "x at that pixel": [f"{x[pixel]:.4f}"] * 2,
          "dL/dW by hand, x·(p − t)": [f"{step['grad_w'][i]:+.6f}" for i in checked],
          "tf.GradientTape": [f"{g:+.6f}" for g in tape["grad_w"]],
          "finite difference": [f"{g:+.6f}" for g in step["finite"]],
          "w − η·dL/dW": [f"0 − {eta:g}·({step['grad_w'][i]:+.4f}) = {step['weights_after'][i]:+.4f}" for i in checked]})
c1, c2, c3 = st.columns(3)
c1.metric("Loss before", f"{step['loss_before']:.4f}")
c2.metric("Loss after one step", f"{step['loss_after']:.4f}", f"{step['loss_after'] - step['loss_before']:+.4f}",
          delta_color="inverse")
c3.metric("p(7) after one step", f"{step['probs_after'][7]:.4f}", f"{step['probs_after'][7] - 0.1:+.4f}")
ui.show_figure(kernels_grid_figure(-step["grad_w"].reshape(28, 28, 10), titles=[f"class {j}" for j in range(10)],
                                   cols=10, shared_scale=True, height=170), key="train_grad_maps")
st.caption("−dL/dW, the direction of the step, one 28 × 28 picture per class (red: weights grow, blue: shrink). "
           "One step makes class 7 like this digit's ink and the other classes dislike it.")
paths = {f"η = {r} ({word})": losses.descend_bowl((-3.0, 2.0), r, 25)
         for r, word in ((0.02, "too small: crawls"), (0.15, "about right"), (0.205, "too large: diverges"))}
ui.show_figure(loss_surface_figure((1.0, 10.0), paths), key="train_surface")
st.caption("L(w) = ½(w₁² + 10·w₂²): each step multiplies w₂ by (1 − 10η). Above η = 2/10 = 0.2 the steps "
           "overshoot the valley more each time and the loss grows; far below it w₁ barely moves in 25 steps.")

# --- 3. overfitting -----------------------------------------------------------------------------------
st.header("3 · Overfitting 1,000 images")
by_key = {r["key"]: r for r in results}
grid_cfg = default_grid()
baseline = by_key.get(grid_cfg["no regularisation"].key)
if baseline is None:
    st.warning("The shipped results (assets/training/) are missing: run `python -m core.training.regularisation`.")
    st.stop()
early = reg.early_stopping_summary(baseline, patience=5)
st.markdown(f"Seed 001's CNN (30,762 parameters) on the first **{baseline['data']['n_train']:,} training images** "
            f"({baseline['data']['source']}), validated on {baseline['data']['n_val']:,} others. Training loss keeps "
            "falls towards 0 while validation loss stops falling after about ten epochs and then wobbles and "
            "creeps up: the network memorises the 1,000 images instead of generalising (seed 000 L904, L954).")
ui.show_figure(curves_figure([baseline]), key="train_overfit")
m = baseline["metrics"]
st.markdown(f"Lowest validation loss at **epoch {m['best_epoch']}** (◆). After {m['epochs_run']} epochs: training "
            f"accuracy **{m['train_accuracy']:.1%}**, validation **{m['val_accuracy']:.1%}**, a gap of "
            f"**{m['gap']:.1%}**. **Early stopping** (`EarlyStopping(monitor='val_loss', patience=5, "
            f"restore_best_weights=True)`) would have stopped after epoch {early['stop']} and kept epoch "
            f"{early['best']}'s weights (validation accuracy {early['val_accuracy']:.1%}).")

# --- 4. the regularisers ------------------------------------------------------------------------------
st.header("4 · The regularisers, on the same curves")
names = {r["config"]["name"]: r for r in results}
url_state.url_default("train_compare", "compare", "no regularisation,dropout 0.5,BN + augmentation")
wanted = [n for n in st.session_state.train_compare.split(",") if n in names] or ["no regularisation"]
chosen = st.multiselect("Configurations", list(names), default=wanted, key="train_compare_pick")
url_state.sync_url(compare=",".join(chosen))
metric = st.radio("Curves", ["loss", "accuracy"], horizontal=True, key="train_metric")
if chosen:
    ui.show_figure(curves_figure([names[n] for n in chosen], metric=metric), key="train_compare_fig")
REGULARISERS = {"dropout": "Dropout", "spatial": "SpatialDropout2D", "bn": "Batch normalization",
                "l2": "L2 weight decay", "aug": "Data augmentation"}
url_state.url_default("train_reg", "reg", "dropout", choices=REGULARISERS)
regulariser = st.radio("Regulariser", list(REGULARISERS), key="train_reg", format_func=REGULARISERS.get,
                       horizontal=True)
url_state.sync_url(reg=regulariser)


@st.fragment
@ui.guarded
def regulariser_section(which: str) -> None:
    """Only the chosen regulariser is built, and its own sliders rerun only this part."""
    if which == "dropout":
        rate = st.select_slider("Dropout rate p", [0.1, 0.2, 0.25, 0.5, 0.75], value=0.5, key="train_rate")
        rng = np.random.default_rng(ui.session_seed())
        outs = np.stack([losses.dropout(np.ones((4, 8)), rate, training=True, rng=rng) for _ in range(3)]
                        + [losses.dropout(np.ones((4, 8)), rate, training=False)])
        ui.show_figure(masks_figure(outs, titles=["training step 1", "step 2", "step 3", "inference"], zmax=4),
                       key="train_masks")
        k = cached.keras_dropout(rate)
        st.markdown(f"32 units, all 1.0. In training each is dropped with p = {rate:g} (a new mask every step, seed 000 "
                    f"L908) and the kept ones become **1/(1 − {rate:g}) = {1 / (1 - rate):.4g}** (*inverted* dropout). "
                    f"Keras' `Dropout({rate:g})` layer on 10,000 ones: {k['dropped']:.1%} set to 0, kept ones = "
                    f"{k['kept_value']:.4g}, mean {k['train_mean']:.3f} ≈ 1; at inference (`training=False`) all "
                    f"{k['inference_values']}. The seed says dropout is off at test time (true); the original paper "
                    "instead scaled the weights by (1 − p) at test time: the older convention, same expected values.")
    elif which == "spatial":
        maps = np.stack([np.full((5, 5), 1.0)] * 8)
        mask = losses.spatial_dropout_mask((5, 5, 8), 0.25, rng=np.random.default_rng(ui.session_seed() + 1))
        ui.show_figure(masks_figure(maps * np.moveaxis(mask, -1, 0) / 0.75, titles=[f"map {i}" for i in range(8)],
                                    zmax=2), key="train_sdrop")
        st.markdown("SpatialDropout2D(0.25) after a convolution drops **whole feature maps** (seed 001 L341-L347): "
                    "neighbouring pixels of one map are strongly correlated, so dropping single pixels (Dropout) "
                    "would hide almost nothing.")
    elif which == "bn":
        c1, c2 = st.columns(2)
        gamma = c1.slider("γ (scale, trainable)", 0.1, 3.0, 1.0, 0.1, key="train_gamma")
        beta = c2.slider("β (shift, trainable)", -2.0, 2.0, 0.0, 0.1, key="train_beta")
        batch = np.random.default_rng(3).normal([120.0, 30.0, -5.0], [60.0, 10.0, 2.0], size=(64, 3))
        bn = losses.batch_norm_train(batch, gamma, beta)
        st.table({"channel": [0, 1, 2], "batch mean": np.round(bn["mean"], 2), "batch std": np.round(np.sqrt(bn["var"]), 2),
                  "x̂ mean": np.round(bn["normalized"].mean(0), 4), "x̂ std": np.round(bn["normalized"].std(0), 4),
                  "y = γx̂ + β mean": np.round(bn["output"].mean(0), 3), "y std": np.round(bn["output"].std(0), 3)})
        ui.show_figure(histograms_figure({"before (channel 0, 0-255 scale)": batch[:, 0] / 60,
                                          "after BN (channel 0)": bn["output"][:, 0]}, title="Channel 0, before (÷60) and after",
                                         x_title="value"), key="train_bn_hist")
        kb = cached.keras_batch_norm(16)
        st.markdown(f"x̂ = (x − μ_B)/√(σ²_B + ε), y = γ·x̂ + β (seed 000 L938-L944: momentum {kb['momentum']:g}, "
                    f"ε = {kb['epsilon']:g}). `keras.layers.BatchNormalization` on 16 channels: **{kb['total']}** numbers, "
                    f"{kb['trainable']} trainable (γ, β) and {kb['non_trainable']} not (moving mean and variance, "
                    "updated as 0.99·old + 0.01·batch and used at inference): 4 per channel.")
    elif which == "l2":
        l2 = names.get("L2 0.001")
        if l2 is not None:
            ui.show_figure(histograms_figure({f"no regularisation (RMS {baseline['weights']['rms']:.3f})": baseline["weights"]["counts"],
                                              f"L2 0.001 (RMS {l2['weights']['rms']:.3f})": l2["weights"]["counts"]},
                                             bins=baseline["weights"]["bins"], title="dense1's weights after training",
                                             x_title="weight"), key="train_l2_hist")
        st.markdown("L2 weight decay adds λ·Σw² to the loss, so every step also shrinks each weight by 2ηλw: "
                    "the weights stay small and the histogram narrower. (Not in seeds 001-003.)")
    elif which == "aug":
        sample = cached.augmented_digits(index, 16, ui.session_seed())
        ui.show_figure(digits_grid_figure(np.concatenate([x.reshape(1, 28, 28), sample]), cols=9,
                                          titles=["original"] + [""] * 16), key="train_aug")
        st.markdown("The seed's `ImageDataGenerator(rotation_range=8, width_shift_range=0.08, height_shift_range=0.08, "
                    "shear_range=0.3, zoom_range=0.08)` (000 L1115) is legacy in Keras 3; the same transformations are "
                    "Keras preprocessing layers inside the model, active only in training: `RandomRotation(8/360)`, "
                    "`RandomTranslation(0.08, 0.08)`, `RandomShear` (in this Keras) and `RandomZoom(0.08)`. "
                    f"`shear_range` is in **degrees**: 0.3° is a shear factor tan 0.3° = {SEED_SHEAR_FACTOR:.4f}, "
                    "invisible; `RandomShear(0.3)` would slant digits by up to 17°.")


regulariser_section(regulariser)

# --- 5. results and a new configuration -----------------------------------------------------------
st.header("5 · Results of every configuration trained so far")
st.dataframe([{"configuration": r["config"]["name"], "train acc": f"{r['metrics']['train_accuracy']:.1%}",
               "val acc": f"{r['metrics']['val_accuracy']:.1%}", "gap": f"{r['metrics']['gap']:.1%}",
               "lowest val loss": f"{min(r['history']['val_loss']):.3f} (ep. {r['metrics']['best_epoch']})",
               "epochs": r["metrics"]["epochs_run"], "images": r["data"]["n_train"],
               "parameters": f"{r['parameters']:,}", "time": f"{r['training_time_s']:.0f} s"} for r in results],
             hide_index=True)


@ui.guarded
def submit_training() -> None:
    """The form's callback: queue the configuration as a shared job (asking twice trains once)."""
    s = st.session_state
    kw = dict(dropout=s.train_f_drop, spatial_dropout=s.train_f_sdrop, batch_norm=s.train_f_bn, l2=s.train_f_l2,
              augmentation=s.train_f_aug, patience=5 if s.train_f_stop else 0, train_size=s.train_f_n,
              epochs=s.train_f_epochs)
    label = (RegularisationConfig(**kw).describe() + (f", {s.train_f_n} images" if s.train_f_n != 1000 else "")
             + f", {s.train_f_epochs} epochs")
    config = RegularisationConfig(label, **kw)
    if training_queue.submit(jobs, config, reg.train_result_job, notice_key="train_full") is not None:
        s.train_job = config                                      # else the queue is full: said below the form


@st.fragment(run_every=1.0)
@ui.guarded
def training_status(key: str) -> None:
    """The shared job's progress, polled every second; when it ends, the table above is re-read."""
    view = jobs.status(key)
    if view is None or view.finished:
        cached.training_results.clear()
        if view is not None and view.status == "failed":
            st.session_state.train_error = view.error
        st.session_state.pop("train_job", None)
        st.rerun(scope="app")
    if view.status == "queued":
        st.info(f"Waiting for the server's training slot: place {view.position} in the queue.")
    else:
        left = "" if view.eta_s is None else f" · about {view.eta_s:.0f} s left"
        st.progress(view.fraction, f"Training {view.message or '(starting)'}{left}")


with st.form("train_form"):
    st.markdown("**Train another configuration** (same CNN, same images; about 30 s on two CPU cores)")
    c1, c2, c3, c4 = st.columns(4)
    c1.select_slider("Dropout", [0.0, 0.2, 0.25, 0.5], value=0.0, key="train_f_drop")
    c2.select_slider("Spatial dropout", [0.0, 0.1, 0.2, 0.3], value=0.0, key="train_f_sdrop")
    c3.select_slider("L2", [0.0, 1e-4, 1e-3, 1e-2], value=0.0, key="train_f_l2")
    c4.select_slider("Training images", [300, 1000, 2000, 4000], value=1000, key="train_f_n")
    c1.checkbox("Batch normalization", key="train_f_bn")
    c2.checkbox("Augmentation", key="train_f_aug")
    c3.checkbox("Early stopping (patience 5)", key="train_f_stop")
    c4.slider("Epochs", 5, 50, 50, 5, key="train_f_epochs")
    st.form_submit_button("Train", on_click=submit_training)
training_queue.show_notice("train_full")
if "train_error" in st.session_state:
    st.error(f"Training failed: {st.session_state.pop('train_error')}. Submit the form again to retry.")
if "train_job" in st.session_state:
    training_status(st.session_state.train_job.key)

# --- 6. the code -------------------------------------------------------------------------------------
st.header("6 · The Keras code of a configuration")
shown = st.selectbox("Configuration", list(names), key="train_code_pick")
st.code(keras_code(config_from_dict(names[shown]["config"])), language="python")
ui.show_source(losses.cross_entropy, losses.dense_softmax_gradient, losses.dropout, losses.batch_norm_train,
               reg.train_regularised)
