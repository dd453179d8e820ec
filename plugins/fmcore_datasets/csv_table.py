"""Numeric columns of a CSV file, with an optional column of class labels."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Literal

import attrs
import numpy as np

from fmcore import BuildContext, DataError, TensorDataset, setting
from fmcore_datasets.tabular import tabular_dataset


def _one_character(instance: object, attribute: attrs.Attribute, value: str) -> None:
    if len(value) != 1:
        raise ValueError("must be a single character")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@attrs.frozen
class CsvData:
    """Rows of a CSV file's numeric columns [N, D], standardized per column by default."""

    path: str = setting(doc="the .csv file (relative to the working directory)")
    columns: tuple[str, ...] = setting((), "feature columns by name, or by position '0', '1', … in a "
                                           "file without a header (empty: all but label_column)")
    label_column: str = setting("", "column of integer class labels 0 … K−1 for class-conditional "
                                    "models (empty: unlabelled)")
    header: Literal["auto", "yes", "no"] = setting(
        "auto", "does the first row name the columns? 'auto': yes when none of its fields is a number")
    delimiter: str = setting(",", "the field separator", validator=_one_character)
    standardize: bool = setting(True, "model (x − mean)/std per column; samples and densities come back "
                                      "in the file's units")

    def where(self) -> str:
        return f"data set 'csv' ($.data.path = '{self.path}')"

    def rows(self) -> list[tuple[int, list[str]]]:
        """The non-blank rows with their line numbers (1-based, as an editor counts)."""
        file = Path(self.path)
        if not file.is_file():
            raise DataError(f"{self.where()}: file does not exist")
        try:
            with file.open(newline="", encoding="utf-8-sig") as stream:
                reader = csv.reader(stream, delimiter=self.delimiter)
                return [(reader.line_num, row) for row in reader if any(field.strip() for field in row)]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise DataError(f"{self.where()}: cannot read the file as CSV text: {exc}") from None

    def load(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Features ``[N, D]`` (float64) and labels ``[N]`` (or ``None``), checked cell by cell."""
        rows = self.rows()
        if not rows:
            raise DataError(f"{self.where()}: the file holds no rows")
        first = rows[0][1]
        has_header = self.header == "yes" or (self.header == "auto" and not any(map(_is_number, first)))
        names = [name.strip() for name in first] if has_header else [str(i) for i in range(len(first))]
        body = rows[1:] if has_header else rows
        if not body:
            raise DataError(f"{self.where()}: the file holds a header but no data rows")
        label = self._position(names, self.label_column) if self.label_column else None
        chosen = self.columns or tuple(n for i, n in enumerate(names) if i != label)
        features = [self._position(names, name) for name in chosen]
        if not features:
            raise DataError(f"{self.where()}: no feature columns (columns = {list(chosen)})")
        values = np.empty((len(body), len(features)), dtype=np.float64)
        labels = np.empty(len(body), dtype=np.int64)
        for r, (line, row) in enumerate(body):
            if len(row) != len(names):
                raise DataError(f"{self.where()}: line {line} has {len(row)} fields, expected {len(names)}")
            for c, position in enumerate(features):
                values[r, c] = self._number(row[position], line, names[position])
            if label is not None:
                labels[r] = self._label(row[label], line, names[label])
        return values, None if label is None else labels

    def _position(self, names: list[str], name: str) -> int:
        found = [i for i, n in enumerate(names) if n == name]
        if len(found) != 1:
            problem = "is not a column" if not found else f"names {len(found)} columns"
            raise DataError(f"{self.where()}: '{name}' {problem} (columns: {', '.join(names)})")
        return found[0]

    def _number(self, text: str, line: int, column: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise DataError(f"{self.where()}: line {line}, column '{column}': {text.strip()!r} is not "
                            "a number") from None
        if not math.isfinite(value):
            raise DataError(f"{self.where()}: line {line}, column '{column}': {text.strip()!r} is NaN "
                            "or infinite")
        return value

    def _label(self, text: str, line: int, column: str) -> int:
        """A class label: a whole number ≥ 0 (written ``3`` or ``3.0``)."""
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not (value >= 0 and value.is_integer()):
            raise DataError(f"{self.where()}: line {line}, label column '{column}': {text.strip()!r} is "
                            "not a class label (an integer 0 … K−1)")
        return int(value)


def build_csv(settings: CsvData, context: BuildContext) -> TensorDataset:
    values, labels = settings.load()
    return tabular_dataset(values, settings.standardize, labels)
