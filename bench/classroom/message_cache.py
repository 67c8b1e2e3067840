"""The browser's ForwardMsg cache, as Streamlit's frontend keeps it.

A ``new_element`` of at least ``global.minCachedMessageSize`` (10 kB) comes with
``metadata.cacheable`` and a ``hash``; the client keeps it and lists every hash it holds in
``cached_message_hashes`` of its next rerun; the server then sends ``ref_hash`` instead of an element
with that hash. A kept message expires when ``max_cached_message_age`` (``new_session`` config, 2)
finished runs have passed without it being sent or referenced (a fragment run ages only that
fragment's messages). Emulating it makes the bytes counted those a browser would receive.
"""

from __future__ import annotations

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class MessageCache:
    """The frontend's ForwardMsgCache: keeps cacheable messages, answers ``ref_hash``, ages entries."""

    def __init__(self) -> None:
        self.entries: dict[str, list] = {}  # hash -> [raw bytes, run count at last use, fragment id]
        self.run_count = 0

    def hashes(self) -> list[str]:
        return list(self.entries)

    def resolve(self, msg: ForwardMsg, raw: bytes) -> tuple[ForwardMsg, int]:
        """The message to act on and, for a ``ref_hash``, the bytes the reference saved."""
        if msg.WhichOneof("type") != "ref_hash":
            if msg.metadata.cacheable and msg.hash:
                if msg.hash in self.entries:
                    self.entries[msg.hash][1] = self.run_count
                else:
                    self.entries[msg.hash] = [raw, self.run_count, msg.delta.fragment_id]
            return msg, 0
        entry = self.entries.get(msg.ref_hash)
        if entry is None:
            raise RuntimeError(f"ref_hash {msg.ref_hash} not in the client cache (protocol emulation bug)")
        entry[1] = self.run_count
        full = ForwardMsg.FromString(entry[0])
        full.metadata.CopyFrom(msg.metadata)
        return full, len(entry[0])

    def script_finished(self, max_age: int, fragment_ids: list[str]) -> None:
        """One more finished run: drop entries unused for more than ``max_age`` runs."""
        self.run_count += 1
        for key, (_, used, fragment) in list(self.entries.items()):
            if fragment_ids and (not fragment or fragment not in fragment_ids):
                continue
            if self.run_count - used > max_age:
                del self.entries[key]
