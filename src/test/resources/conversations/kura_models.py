"""Kura's checkpoint models as pydantic 2 classes, written from the field tables of kura.md
(section 1: Message, Conversation, GeneratedSummary/ConversationSummary, Cluster, ProjectedCluster),
not copied from Kura. Field order is the declared (and so the serialised) order.

As a script: python kura_models.py DIR loads every Kura checkpoint file in DIR with these models the
way Kura's JSONL checkpoint manager does (one model_validate_json per line; the conversation dump
conversations.json as one JSON array) and prints, per file, the rows and whether model_dump_json()
of every row gives the file's bytes back.
"""
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, Field, TypeAdapter, computed_field

MetadataValue = Union[str, int, float, bool, list[str], list[int], list[float]]


class Message(BaseModel):
    created_at: datetime
    role: Literal["user", "assistant"]
    content: str


class Conversation(BaseModel):
    chat_id: str
    created_at: datetime
    messages: list[Message]
    metadata: dict[str, MetadataValue]


class GeneratedSummary(BaseModel):
    summary: str
    request: Optional[str] = None
    topic: Optional[str] = None
    languages: Optional[list[str]] = None
    task: Optional[str] = None
    concerning_score: Optional[int] = Field(default=None, ge=1, le=5)
    user_frustration: Optional[int] = Field(default=None, ge=1, le=5)
    assistant_errors: Optional[list[str]] = None


class ConversationSummary(GeneratedSummary):
    chat_id: str
    metadata: dict
    embedding: Optional[list[float]] = None


class Cluster(BaseModel):
    id: str
    name: str
    description: str
    slug: str
    chat_ids: list[str]
    parent_id: Optional[str]

    @computed_field
    @property
    def count(self) -> int:
        return len(self.chat_ids)


class ProjectedCluster(Cluster):
    x_coord: float
    y_coord: float
    level: int


MODELS = {
    "conversations.jsonl": Conversation,
    "conversations.json": Conversation,
    "summaries.jsonl": ConversationSummary,
    "clusters.jsonl": Cluster,
    "meta_clusters.jsonl": Cluster,
    "dimensionality.jsonl": ProjectedCluster,
}


def load(path: Path, model):
    """Kura's way: one model per JSONL line; the dump is one JSON array."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return TypeAdapter(list[model]).validate_python(json.loads(text)), None
    lines = text.split("\n")
    assert lines[-1] == "", f"{path.name}: no newline after the last line"
    return [model.model_validate_json(line) for line in lines[:-1]], lines[:-1]


def main(folder: str) -> int:
    ok = True
    for name, model in MODELS.items():
        path = Path(folder) / name
        if not path.exists():
            continue
        rows, lines = load(path, model)
        if lines is None:
            same = json.dumps([r.model_dump(mode="json") for r in rows]) == path.read_text(encoding="utf-8")
        else:
            same = [r.model_dump_json() for r in rows] == lines
        ok = ok and same
        print(f"{name}: {len(rows)} rows, {model.__name__}, bytes equal {same}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
