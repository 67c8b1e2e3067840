"""The training worker: Huey's consumer for the shared training queue (:mod:`core.training.jobs`).

Run ``python -m core.training.worker`` next to the web processes (``make serve`` starts one; on
Kubernetes it is its own Deployment, the one that requests the GPU). It reads the same storage as
the web processes (``$NEURAL_EXPLAINER_QUEUE_URL``, default SQLite in the model cache), trains each
requested config once and writes the weights to the model store, where every web process finds
them. The web processes then run with ``NEURAL_EXPLAINER_QUEUE_CONSUMER=external``.

Options: ``--workers N`` trainings at a time (default ``$NEURAL_EXPLAINER_TRAINING_SLOTS`` or 1);
``--tasks MODULE`` (repeatable) imports a module that registers more tasks on the queue's allow-list
(``core.training.queue_codec.register_task``): the operator's choice, never read from the queue, which
holds JSON only and runs only allow-listed tasks.
SIGINT stops after the running trainings finish, SIGTERM at once (Huey's consumer); a training
killed that way leaves its job "running" without progress, and after ``stale_s`` (five minutes)
the next request runs it again.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from core.training import jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core.training.worker", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--workers", type=int, default=None, help=f"trainings at a time (default ${jobs.SLOTS_ENV_VAR} or 1)"
    )
    parser.add_argument(
        "--tasks",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE first: it registers more tasks on the allow-list",
    )
    args = parser.parse_args(argv)
    workers = args.workers if args.workers is not None else jobs.slots_from_env()
    if workers < 1:
        parser.error("--workers must be at least 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s training-worker %(levelname)s %(message)s")
    for module in args.tasks:
        importlib.import_module(module)
    from core.models import runtime

    logging.info("training on %s", runtime.configure_devices())  # before any model is built
    storage = jobs.queue_storage(shared=True)  # the web processes' queue
    queue = jobs.TrainingQueue(storage, max_concurrent=workers, consume=False)  # registers the task
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=False)
    consumer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
