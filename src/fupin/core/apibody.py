"""API write bodies whose fields are all optional but that must not be empty (issue 20): a ``PUT`` or ``PATCH`` with
``{}`` says nothing, and answering 200 to it hides a client's mistake (an income of zero recorded for a year, a
measure "corrected" with nothing). ``AtLeastOne`` refuses such a body with 422 and a clear message, and says so in
the OpenAPI schema (``anyOf`` of one required field each, so schema-driven clients and fuzzers know it)."""

from __future__ import annotations

from typing import Any, ClassVar

from ninja import Schema
from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError


def _schema_extra(schema: dict[str, Any], model: type[Any]) -> None:
    fields = model.one_of_fields()
    schema["anyOf"] = [{"required": [f]} for f in fields]
    note = f"At least one of {', '.join(fields)} must be sent; an empty body is refused (422)."
    schema["description"] = f"{schema.get('description', '')}\n\n{note}".strip()


class AtLeastOne(Schema):
    """A body of which at least one of ``ONE_OF`` (all its fields when empty) must be sent."""

    ONE_OF: ClassVar[tuple[str, ...]] = ()
    EMPTY_MESSAGE: ClassVar[str] = "请至少填写一项 / send at least one field"

    model_config = ConfigDict(json_schema_extra=_schema_extra)

    @classmethod
    def one_of_fields(cls) -> list[str]:
        return list(cls.ONE_OF) or list(cls.model_fields)

    @model_validator(mode="after")
    def _not_empty(self) -> AtLeastOne:
        if not self.model_fields_set & set(self.one_of_fields()):
            raise PydanticCustomError("empty_write", f"{self.EMPTY_MESSAGE}: {', '.join(self.one_of_fields())}")
        return self
