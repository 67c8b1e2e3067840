"""The lecture-hall benchmark behind ``bench/bench_classroom.py``, one idea per module, read
bottom-up: ``servers``, ``message_cache``, ``widgets``, ``session``, ``scenarios``, ``students``,
``stats``, ``modes``, ``cli``."""
