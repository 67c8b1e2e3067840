"""Training a CNN: the loss, one gradient step, overfitting and the regularisers, with the numbers.

Opens on shipped results (``assets/training/``, made by ``python -m core.training.regularisation``):
nothing trains when the page opens. A new configuration is a shared job on the training queue
(``core.adapters.training_panel``) that this page only watches; its result joins the table for everyone.
References: Course notes, *Autoencoders and convolutional networks*, *CNN: training* to *CNN: data
augmentation*
and *Convolution NN on MNIST dataset with Keras*; *CNNs and regularisation in Keras*, *CNNs: batch
normalization and spatial dropout 2D*.
"""

import numpy as np
import streamlit as st

from core.adapters import cached, display, page_frame, training_panel, url_state
from core.adapters.errors import guarded
from core.adapters.lecture_mode import is_lecture, session_seed
from core.adapters.url_state import UrlParam
from core.data.course import cite
from core.figures.feature_maps import kernels_grid_figure
from core.figures.training_curves import (
    curves_figure,
    digits_grid_figure,
    histograms_figure,
    loss_curve_figure,
    loss_surface_figure,
    masks_figure,
    probabilities_figure,
    ranges_figure,
)
from core.maths import batch_norm, dropout, gradient_descent, losses
from core.maths import run_summary as summary

page_frame.start()

st.title("Training a CNN")
st.markdown("Training is a loop: forward pass, **loss**, gradient, a step downhill.")
with st.expander("More about training"):
    st.markdown(
        "Training is a loop: a **forward pass** gives probabilities, the **cross-entropy loss** says "
        "how wrong they are, **backpropagation** gives the gradient dL/dW, and the weights take a step "
        f"**w ← w − η·dL/dW** ({cite('ae_cnn', 'CNN: training')}). Then: a network that learns a few "
        f"hundred images too well "
        "(**overfitting**), and the **regularisers** that fight it, compared on the same curves."
    )

RATES = [0.0001, 0.001, 0.01, 0.1, 1.0]
REGULARISERS = {
    "dropout": "Dropout",
    "spatial": "SpatialDropout2D",
    "bn": "Batch normalization",
    "l2": "L2 penalty",
    "aug": "Data augmentation",
}
URL = (
    UrlParam("p7", "train_p7", 0.1, kind=float, lo=0.01, hi=0.99, step=0.01),
    UrlParam("lr", "train_lr", 0.01, kind=float, choices=RATES),
    UrlParam("seven", "train_seven", 0, kind=int, lo=0, hi=19),
    UrlParam(
        "compare", "train_compare_pick", ["no regularisation", "dropout 0.5", "BN + augmentation"], kind=list
    ),  # the names are the shipped results': checked in section 4
    UrlParam("reg", "train_reg", "dropout", choices=REGULARISERS),
)
url_state.sync(URL)

# --- 1. softmax and cross-entropy -----------------------------------------------------------------
st.header("1 · Softmax and cross-entropy")
c1, c2 = st.columns(2)  # the slider above the output it sets, the loss curve beside both
with c1:
    p7 = round(
        float(
            st.slider(
                "The network's probability for the true class, p(7)", 0.01, 0.99, step=0.01, key="train_p7"
            )
        ),
        2,
    )
target, probs = losses.one_hot(7), losses.probabilities_with(p7)
loss = float(losses.cross_entropy(target, probs))
grid = np.linspace(0.01, 0.99, 99)
with c1:
    display.show_figure(
        probabilities_figure(probs, target, title="Target 7 = [0 0 0 0 0 0 0 1 0 0] and the output"),
        key="train_probs",
    )
with c2:
    display.show_figure(
        loss_curve_figure(
            grid,
            -np.log(grid),
            current=p7,
            current_loss=loss,
            mixup_losses=[
                float(losses.softmax_twice_loss(target, losses.probabilities_with(p))) for p in grid
            ],
        ),
        key="train_loss_curve",
    )
st.markdown(
    f"**Loss = −Σ tᵢ·ln pᵢ = −ln p(7) = −ln {p7:.2f} = {loss:.4f}**: only the true class counts. "
    "A randomly initialised network gives each class **≈ 0.1** (between 0.07 and 0.16 for this page's CNN "
    "with Keras' default initialisation), so its loss starts at **≈ 2.3**; exactly 0.1 and −ln 0.1 = "
    "**2.3026** only when the weights are 0, as in the next section "
    f"({cite('ae_cnn', 'CNN: training')} "
    "prints that output with 13 entries; with 10 classes it is 0.1 ten times)."
)
with st.expander(
    "Logits, softmax and `from_logits`: the course's code mixes them up",
    expanded=not is_lecture(),
):
    logits = np.log(probs) + 1.0  # any logits with these probabilities (softmax ignores + c)
    st.markdown(
        "The last Dense layer gives **logits** z (any real numbers); **softmax** turns them into "
        "probabilities pᵢ = e^zᵢ / Σⱼ e^zⱼ. For the output above, e.g. z = "
        f"`{np.array2string(logits, precision=2, separator=', ')}` → softmax → "
        f"`{np.array2string(losses.softmax(logits), precision=3, separator=', ')}`."
    )
    twice = float(losses.softmax_twice_loss(target, probs))
    st.table(
        {
            "model ends with": ["softmax (probabilities)", "Dense(10) (logits)", "softmax (probabilities)"],
            "loss": [
                "from_logits=False",
                "from_logits=True",
                "from_logits=True  ✗ (the course's MNIST code in Keras)",
            ],
            "loss value": [
                f"{loss:.4f}",
                f"{float(losses.cross_entropy_from_logits(target, logits)):.4f}",
                f"{twice:.4f}",
            ],
        }
    )
    st.markdown(
        "The mix-up applies softmax twice: the probabilities (all in [0, 1]) are taken as logits, "
        "so the second softmax is nearly uniform and the loss stays between 1.46 and 2.46 even for a "
        "confident, correct network (dashed curve above): the gradient that should push p(7) up "
        "almost vanishes. Pair a softmax output with `from_logits=False`, or logits with `from_logits=True`."
    )

with page_frame.loading_models():  # TensorFlow (tape, Keras layers) and the training queue: after the title
    if training_panel.finished("train") is not None:  # this session's job has ended: re-read the results
        cached.training_results.clear()
    results = cached.training_results()
    design = cached.regularisation_grid()  # the shipped grid: configurations, seeds, names

# --- 2. one gradient step ---------------------------------------------------------------------------
st.header("2 · One gradient step, with the numbers")
st.markdown(
    "The smallest network: one Dense layer (784 × 10 weights + 10 biases, all **0**, so the "
    "output is the uniform 0.1) and a softmax, on one test digit 7."
)
c1, c2 = st.columns(2)
eta = c1.select_slider("Learning rate η", RATES, key="train_lr")
index = int(c2.number_input("Which test digit 7 (0-19)", 0, 19, key="train_seven"))
x = cached.sevens()[index].reshape(-1)
pixel = int(np.argmax(x))
checked = ((pixel, 7), (pixel, 0))
step = gradient_descent.one_gradient_step(x, 7, eta, checked=checked)
tape = cached.tape_gradient(index, checked)
st.markdown(
    f"**Forward:** z = x·W + b = 0 → p = 0.1 each → loss **{step['loss_before']:.4f}** "
    f"(TensorFlow: {tape['loss']:.4f}). **Backward:** dL/dz = p − t, so dL/dW = x ⊗ (p − t): "
    "every column of the gradient is the digit itself, times −0.9 for class 7 and +0.1 for the others."
)
st.table(
    {
        "weight": [f"W[{pixel}, {j}] (brightest pixel, class {j})" for _, j in checked],
        "x at that pixel": [f"{x[pixel]:.4f}"] * 2,
        "dL/dW by hand, x·(p − t)": [f"{step['grad_w'][i]:+.6f}" for i in checked],
        "tf.GradientTape": [f"{g:+.6f}" for g in tape["grad_w"]],
        "finite difference": [f"{g:+.6f}" for g in step["finite"]],
        "w − η·dL/dW": [
            f"0 − {eta:g}·({step['grad_w'][i]:+.4f}) = {step['weights_after'][i]:+.4f}" for i in checked
        ],
    }
)
c1, c2, c3 = st.columns(3)
c1.metric("Loss before", f"{step['loss_before']:.4f}")
c2.metric(
    "Loss after one step",
    f"{step['loss_after']:.4f}",
    f"{step['loss_after'] - step['loss_before']:+.4f}",
    delta_color="inverse",
)
c3.metric("p(7) after one step", f"{step['probs_after'][7]:.4f}", f"{step['probs_after'][7] - 0.1:+.4f}")
display.show_figure(
    kernels_grid_figure(
        -step["grad_w"].reshape(28, 28, 10),
        titles=[f"class {j}" for j in range(10)],
        cols=10,
        shared_scale=True,
        height=170,
    ),
    key="train_grad_maps",
)
st.caption(
    "−dL/dW, the direction of the step, one 28 × 28 picture per class (red: weights grow, blue: shrink). "
    "One step makes class 7 like this digit's ink and the other classes dislike it."
)
paths = {
    f"η = {r} ({word})": gradient_descent.descend_bowl((-3.0, 2.0), r, 25)
    for r, word in ((0.02, "too small: crawls"), (0.15, "about right"), (0.205, "too large: diverges"))
}
display.show_figure(loss_surface_figure((1.0, 10.0), paths), key="train_surface")
slow = next(iter(paths.values()))[-1, 0]  # w₁ after 25 steps at η = 0.02
st.caption(
    "L(w) = ½(w₁² + 10·w₂²): each step multiplies w₁ by (1 − η) and w₂ by (1 − 10η). Above η = 2/10 = 0.2 "
    "the steps overshoot the valley more each time and the loss grows. Far below it the shallow direction "
    f"crawls: at η = 0.02, w₁ goes −3 → −{abs(slow):.2f} in 25 steps, only {(slow + 3) / 3:.0%} of the way "
    f"to the "
    "minimum, while w₂ is already near 0."
)

# --- 3. overfitting -----------------------------------------------------------------------------------
grid_cfg = design.configs
groups = summary.group_runs(results, order=list(grid_cfg))
shipped = {
    g["name"]: g for g in groups if g["name"] in grid_cfg and g["group_key"] == grid_cfg[g["name"]].group_key
}
if "no regularisation" not in shipped:
    st.warning(
        "The shipped results (assets/training/) are missing: run `python -m core.training.regularisation`."
    )
    st.stop()
base_group = shipped["no regularisation"]
# The curves drawn are those of one named seed (the grid's first); the table gives every seed.
names = {
    g["name"]: next((r for r in g["runs"] if r["config"]["seed"] == design.seeds[0]), g["runs"][0])
    for g in groups
}
baseline, o = names["no regularisation"], summary.overfitting_summary(names["no regularisation"])
d = baseline["data"]
st.header(f"3 · Overfitting {d['n_train']:,} images")
st.markdown(
    f"The course's MNIST CNN (30,762 parameters) learns from the first **{d['n_train']:,} training images** "
    f"({d['source']}) for {o['epochs']} epochs. After every epoch it is validated on the **next "
    f"{d['n_val']:,} training images**, which it never learns from; the {d['n_test']:,} test images take no "
    "part in any choice and give only the final test accuracy (section 5). The curves are those of random "
    f"seed {baseline['config']['seed']}, one of the {len(base_group['runs'])} seeds in the table."
)
display.show_figure(curves_figure([baseline], y_max=round(3 * o["min_val_ce"], 1)), key="train_overfit")
st.caption(
    f"The y axis stops at {round(3 * o['min_val_ce'], 1):g} so that the late epochs show: epoch 1 is at "
    f"{o['train_ce_first']:.2f} (training) and {baseline['history']['val_cross_entropy'][0]:.2f} "
    f"(validation)."
)
acc_word = (
    "still rises"
    if o["val_acc_last"] > o["val_acc_at_best"] + 0.002
    else "falls"
    if o["val_acc_last"] < o["val_acc_at_best"] - 0.002
    else "hardly moves"
)
st.markdown(
    f"Training cross-entropy falls from {o['train_ce_first']:.3f} to **{o['train_ce_last']:.4f}**. "
    f"Validation "
    f"cross-entropy reaches its lowest, **{o['min_val_ce']:.3f} at epoch {o['best_epoch']}** (◆, "
    f"{o['best_fraction']:.0%} of the way), then climbs to **{o['last_val_ce']:.3f}** by epoch "
    f"{o['epochs']}, "
    f"**{o['rise']:.0%} above its minimum**: the network goes on fitting its {d['n_train']:,} images and "
    f"grows "
    "ever more confident, also on the validation digits it gets wrong (overfitting). Validation accuracy "
    f"{acc_word} meanwhile: {o['val_acc_at_best']:.1%} at epoch {o['best_epoch']}, {o['val_acc_last']:.1%} "
    f"at "
    f"epoch {o['epochs']} (highest {o['val_acc_max']:.1%}, epoch {o['val_acc_max_epoch']}); training "
    f"accuracy "
    f"ends at {baseline['metrics']['train_accuracy']:.1%} ({cite('ae_cnn', 'CNN: dropout')}; "
    f"{cite('ae_cnn', 'CNN: data augmentation')}: a small training set overfits)."
)
trade = summary.early_stopping_tradeoff(base_group["runs"], patiences=(2, 5, 10))
st.table(summary.early_stopping_table(trade))
p5, full = trade[1], trade[-1]
st.markdown(
    f"**Early stopping** (`EarlyStopping(monitor='val_loss', patience=5, restore_best_weights=True)`) on "
    f"these curves ({len(base_group['runs'])} seeds: mean, min–max) trains {p5['time_fraction']:.0%} of the "
    f"epochs and keeps weights with validation cross-entropy {p5['val_cross_entropy']['mean']:.3f} instead "
    f"of "
    f"{full['val_cross_entropy']['mean']:.3f}, and validation accuracy {p5['val_accuracy']['mean']:.1%} "
    f"instead of {full['val_accuracy']['mean']:.1%} "
    f"({(p5['val_accuracy']['mean'] - full['val_accuracy']['mean']) * 100:+.1f} points, "
    + (
        "within the seed-to-seed spread"
        if summary.ranges_overlap(p5["val_accuracy"], full["val_accuracy"])
        else "ranges that do not overlap"
    )
    + "). It is a trade: a short patience saves training time but can "
    "stop at an early bump of a noisy curve (patience 2 above); a long one trains longer for a small gain, "
    "and "
    "the epoch of lowest validation loss need not be the epoch of best accuracy. Prechelt (1998), "
    "*Early stopping — but when?*, measured this across many problems: slower stopping criteria buy a "
    "little generalisation for much more training time."
)

# --- 4. the regularisers ------------------------------------------------------------------------------
st.header("4 · The regularisers, on the same curves")
st.session_state.train_compare_pick = [n for n in st.session_state.train_compare_pick if n in names] or [
    "no regularisation"
]
chosen = st.multiselect("Configurations", list(names), key="train_compare_pick")
metric = st.radio("Curves", ["loss", "accuracy"], horizontal=True, key="train_metric")
if chosen:
    display.show_figure(curves_figure([names[n] for n in chosen], metric=metric), key="train_compare_fig")
regulariser = st.radio(
    "Regulariser", list(REGULARISERS), key="train_reg", format_func=REGULARISERS.get, horizontal=True
)


@st.fragment
@guarded
def regulariser_section(which: str) -> None:
    """Only the chosen regulariser is built, and its own sliders rerun only this part."""
    if which == "dropout":
        rate = st.select_slider("Dropout rate p", [0.1, 0.2, 0.25, 0.5, 0.75], value=0.5, key="train_rate")
        rng = np.random.default_rng(session_seed())
        outs = np.stack(
            [dropout.dropout(np.ones((4, 8)), rate, training=True, rng=rng) for _ in range(3)]
            + [dropout.dropout(np.ones((4, 8)), rate, training=False)]
        )
        display.show_figure(
            masks_figure(outs, titles=["training step 1", "step 2", "step 3", "inference"], zmax=4),
            key="train_masks",
        )
        k = cached.keras_dropout(rate)
        st.markdown(
            f"32 units, all 1.0. In training each is dropped with p = {rate:g} (a new mask every step, "
            f"{cite('ae_cnn', 'CNN: dropout')}) and the kept ones become "
            f"**1/(1 − {rate:g}) = {1 / (1 - rate):.4g}** (*inverted* dropout). "
            f"Keras' `Dropout({rate:g})` layer on 10,000 ones: {k['dropped']:.1%} set to 0, kept ones = "
            f"{k['kept_value']:.4g}, mean {k['train_mean']:.3f} ≈ 1; at inference (`training=False`) all "
            f"{k['inference_values']}. The course says dropout is off at test time (true); the original "
            f"paper "
            "instead scaled the weights by (1 − p) at test time: the older convention, same expected values."
        )
    elif which == "spatial":
        maps = np.stack([np.full((5, 5), 1.0)] * 8)
        mask = dropout.spatial_dropout_mask((5, 5, 8), 0.25, rng=np.random.default_rng(session_seed() + 1))
        display.show_figure(
            masks_figure(
                maps * np.moveaxis(mask, -1, 0) / 0.75, titles=[f"map {i}" for i in range(8)], zmax=2
            ),
            key="train_sdrop",
        )
        st.markdown(
            "SpatialDropout2D(0.25) after a convolution drops **whole feature maps** "
            f"({cite('keras_cnn', 'CNNs: batch normalization and spatial dropout 2D')}): "
            "neighbouring pixels of one map are strongly correlated, so dropping single pixels (Dropout) "
            "would hide almost nothing."
        )
    elif which == "bn":
        c1, c2 = st.columns(2)
        gamma = c1.slider("γ (scale, trainable)", 0.1, 3.0, 1.0, 0.1, key="train_gamma")
        beta = c2.slider("β (shift, trainable)", -2.0, 2.0, 0.0, 0.1, key="train_beta")
        batch = np.random.default_rng(3).normal([120.0, 30.0, -5.0], [60.0, 10.0, 2.0], size=(64, 3))
        bn = batch_norm.batch_norm_train(batch, gamma, beta)
        st.table(
            {
                "channel": [0, 1, 2],
                "batch mean": np.round(bn["mean"], 2),
                "batch std": np.round(np.sqrt(bn["var"]), 2),
                "x̂ mean": np.round(bn["normalized"].mean(0), 4),
                "x̂ std": np.round(bn["normalized"].std(0), 4),
                "y = γx̂ + β mean": np.round(bn["output"].mean(0), 3),
                "y std": np.round(bn["output"].std(0), 3),
            }
        )
        display.show_figure(
            histograms_figure(
                {
                    "before, ÷ 60 (channel 0, drawn from N(120, 60²))": batch[:, 0] / 60,
                    "after BN (channel 0)": bn["output"][:, 0],
                },
                title="Channel 0, before (÷60) and after",
                x_title="value",
            ),
            key="train_bn_hist",
        )
        kb = cached.keras_batch_norm(16)
        st.markdown(
            f"x̂ = (x − μ_B)/√(σ²_B + ε), y = γ·x̂ + β ({cite('ae_cnn', 'Batch normalization')}: momentum "
            f"{kb['momentum']:g}, "
            f"ε = {kb['epsilon']:g}). `keras.layers.BatchNormalization` on 16 channels: **{kb['total']}** "
            f"numbers, "
            f"{kb['trainable']} trainable (γ, β) and {kb['non_trainable']} not (moving mean and variance, "
            "updated as 0.99·old + 0.01·batch and used at inference): 4 per channel."
        )
    elif which == "l2":
        l2_name, adamw_name = design.l2_name, design.adamw_name
        pair = [n for n in ("no regularisation", l2_name, adamw_name) if n in names]
        display.show_figure(
            histograms_figure(
                {f"{n} (RMS {names[n]['weights']['rms']:.3f})": names[n]["weights"]["counts"] for n in pair},
                bins=baseline["weights"]["bins"],
                title=f"dense1's weights after training (seed {design.seeds[0]})",
                x_title="weight",
            ),
            key="train_l2_hist",
        )
        st.markdown(
            "An **L2 penalty** adds λ·Σw² to the loss, so each weight's gradient gains 2λw. With plain "
            "SGD every step then shrinks each weight by 2ηλw: the penalty *is* **weight decay**. These runs "
            "use **Adam**, which divides each gradient, the 2λw term included, by a running estimate of its "
            "size for that weight: weights with large gradients are decayed less than the others, so with "
            "Adam an L2 penalty is not weight decay (Loshchilov & Hutter, *Decoupled weight decay "
            "regularization*, ICLR 2019). **Decoupled** weight decay (AdamW, `keras.optimizers.AdamW("
            "weight_decay=…)`) shrinks every weight by the same factor, w ← w − η·λ·w, outside Adam's "
            "rescaling. Either way the weights stay small and the histogram narrower. (Not in the course "
            "notes.)"
        )
        if {l2_name, adamw_name} <= set(shipped):
            acc = {
                n: summary.metric_spread(shipped[n], "test_accuracy")
                for n in ("no regularisation", l2_name, adamw_name)
            }
            same = summary.ranges_overlap(acc[l2_name], acc[adamw_name])
            st.markdown(
                f"The shipped pair, same CNN and images: **{l2_name}** (λ = 0.001 in the loss) and "
                f"**{adamw_name}**"
                f" (each step w ← w − "
                f"{grid_cfg[adamw_name].learning_rate:g}·{design.adamw_weight_decay:g}·w on the "
                "kernels, biases excluded; chosen so that dense1's weights end about as small). Test "
                "accuracy "
                f"over {acc[l2_name]['n']} seeds: "
                + ", ".join(f"{n} {summary.format_spread(a)}" for n, a in acc.items())
                + (
                    ": the L2 and AdamW ranges overlap, so on this small task the difference is within "
                    "seed-to-seed noise."
                    if same
                    else ": the L2 and AdamW ranges do not overlap."
                )
            )
    elif which == "aug":
        sample = cached.augmented_digits(index, 16, session_seed())
        display.show_figure(
            digits_grid_figure(
                np.concatenate([x.reshape(1, 28, 28), sample]), cols=9, titles=["original"] + [""] * 16
            ),
            key="train_aug",
        )
        st.markdown(
            "The course's `ImageDataGenerator(rotation_range=8, width_shift_range=0.08, "
            "height_shift_range=0.08, "
            "shear_range=0.3, zoom_range=0.08)` "
            f"({cite('ae_cnn', 'Convolution NN on MNIST dataset with Keras')}) "
            "is legacy in Keras 3; the same transformations are "
            "Keras preprocessing layers inside the model, active only in training: `RandomRotation(8/360)`, "
            "`RandomTranslation(0.08, 0.08)`, `RandomShear` (in this Keras) and `RandomZoom(0.08)`. "
            f"`shear_range` is in **degrees**: 0.3° is a shear factor tan 0.3° = {design.shear_factor:.4f}, "
            "invisible; `RandomShear(0.3)` would slant digits by up to 17°."
        )


regulariser_section(regulariser)

# --- 5. results and a new configuration -----------------------------------------------------------
st.header("5 · Results of every configuration trained so far")
display.show_table(summary.results_table(groups), hide_index=True)
test_acc = {g["name"]: summary.metric_spread(g, "test_accuracy") for g in groups}
display.show_figure(
    ranges_figure(
        list(test_acc),
        list(test_acc.values()),
        x_title="test accuracy (%)",
        reference=0,
        title=f"Test accuracy on the {d['n_test']:,} test images: mean and min–max over seeds",
    ),
    key="train_test_ranges",
)
verdict, ref = summary.compare_groups(groups, "no regularisation"), test_acc["no regularisation"]
said = [
    f"{word}: " + ", ".join(verdict[k])
    for k, word in (
        ("higher", "**really higher**"),
        ("lower", "**really lower**"),
        ("overlapping", "within the seed-to-seed spread"),
        ("too_few_seeds", "trained with fewer than 3 seeds, not compared"),
    )
    if verdict[k]
]
st.markdown(
    "Each cell is the mean over the seeds with the min–max in brackets. The cross-entropy column leaves the "
    "L2 penalty out (Keras adds λ·Σw² to `loss` and `val_loss`); it has its own column. One run's test "
    f"accuracy on {d['n_test']:,} images has a standard error of about "
    f"{100 * (ref['mean'] * (1 - ref['mean']) / d['n_test']) ** 0.5:.1f} points, and the seed alone "
    f"spreads the "
    f"unregularised runs over {100 * (ref['max'] - ref['min']):.1f} points, so a difference counts as real "
    f"only "
    f"where a test-accuracy range does not overlap that of no regularisation ({summary.format_spread(ref)}, "
    "shaded): " + "; ".join(said) + "."
)


@guarded
def submit_training() -> None:
    """The form's callback: queue the configuration as a shared job (asking twice trains once)."""
    s = st.session_state
    training_panel.submit(
        "train",
        "regularisation",
        dropout=s.train_f_drop,
        spatial_dropout=s.train_f_sdrop,
        batch_norm=s.train_f_bn,
        l2=s.train_f_l2,
        augmentation=s.train_f_aug,
        patience=5 if s.train_f_stop else 0,
        train_size=s.train_f_n,
        epochs=s.train_f_epochs,
    )


with st.form("train_form"):
    st.markdown(
        f"**Train another configuration** (same CNN, same images, seed {design.seeds[0]}; about "
        f"{summary.spread(r['training_time_s'] for r in base_group['runs'])['mean']:.0f} s on two CPU cores)"
    )
    c1, c2, c3, c4 = st.columns(4)
    c1.select_slider("Dropout", [0.0, 0.2, 0.25, 0.5], value=0.0, key="train_f_drop")
    c2.select_slider("Spatial dropout", [0.0, 0.1, 0.2, 0.3], value=0.0, key="train_f_sdrop")
    c3.select_slider("L2", [0.0, 1e-4, 1e-3, 1e-2], value=0.0, key="train_f_l2")
    c4.select_slider(
        "Training images",
        [300, design.train_size, 1000, 2000, 3000],
        value=design.train_size,
        key="train_f_n",
    )
    c1.checkbox("Batch normalization", key="train_f_bn")
    c2.checkbox("Augmentation", key="train_f_aug")
    c3.checkbox("Early stopping (patience 5)", key="train_f_stop")
    c4.slider("Epochs", 5, 60, 60, 5, key="train_f_epochs")
    st.form_submit_button("Train", on_click=submit_training)
training_panel.show("train")  # the "queue is full" notice, a failure, the job's progress

# --- 6. the code -------------------------------------------------------------------------------------
st.header("6 · The Keras code of a configuration")
shown = st.selectbox("Configuration", list(names), key="train_code_pick")
st.code(cached.keras_code(names[shown]["config"]), language="python")
page_frame.finish(
    losses.cross_entropy,
    gradient_descent.dense_softmax_gradient,
    dropout.dropout,
    batch_norm.batch_norm_train,
    "core.training.regularisation:train_regularised",
    course={
        "ae_cnn": [
            "CNN: training",
            "CNN: dropout",
            "Batch normalization",
            "CNN: data augmentation",
            "Convolution NN on MNIST dataset with Keras",
        ],
        "keras_cnn": [
            "CNN example in Keras: written character recognition (II)",
            "CNNs: batch normalization and spatial dropout 2D",
        ],
    },
    references=[
        "srivastava2014",
        "tompson2015",
        "ioffe2015",
        "kingma_ba2015",
        "loshchilov_hutter2019",
        "prechelt1998",
        "keras_losses",
        "keras_dropout",
        "keras_batchnorm",
        "keras_optimizers",
        "keras_regularizers",
        "keras_augmentation",
    ],
)
