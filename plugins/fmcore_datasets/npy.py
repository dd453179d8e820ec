"""A user's array stored in a NumPy ``.npy`` file."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np

from fmcore import BuildContext, DataError, TensorDataset, setting
from fmcore_datasets.tabular import tabular_dataset


@attrs.frozen
class NpyData:
    """Samples from a .npy file of shape [N, ...] (loaded without pickle)."""

    path: str = setting(doc="the .npy file (relative to the working directory)")
    standardize: bool = setting(False, "model (x − mean)/std per feature; samples and densities come "
                                       "back in the file's units")

    def load(self) -> np.ndarray:
        """The array, checked: a numeric ``[N, ...]`` array with N ≥ 1 and only finite values."""
        where = f"data set 'npy' ($.data.path = '{self.path}')"
        file = Path(self.path)
        if not file.is_file():
            raise DataError(f"{where}: file does not exist")
        try:
            array = np.load(file, allow_pickle=False)
        except ValueError as exc:
            raise DataError(f"{where}: not a readable .npy array: {exc}") from None
        except OSError as exc:
            raise DataError(f"{where}: cannot read the file: {exc}") from None
        if not isinstance(array, np.ndarray):
            raise DataError(f"{where}: holds an archive of several arrays, not one array")
        if array.ndim < 2 or array.shape[0] == 0:
            raise DataError(f"{where}: expected an array of shape [N, ...] with N >= 1, got "
                            f"shape {list(array.shape)}")
        if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
            raise DataError(f"{where}: expected numbers, got dtype {array.dtype}")
        bad = ~np.isfinite(array.reshape(array.shape[0], -1)).all(axis=1)
        if bad.any():
            raise DataError(f"{where}: row {int(np.argmax(bad))} holds NaN or infinite values "
                            f"({int(bad.sum())} such rows)")
        return array


def build_npy(settings: NpyData, context: BuildContext) -> TensorDataset:
    return tabular_dataset(settings.load(), settings.standardize)
