"""Precision rules (NS3xx): settings that corrupt depth and other data passes.

Data passes (Depth, Normal, Position, Vector, UV, Object/Material Index, Cryptomatte, Mist,
Denoising Depth/Normal, and anything computed from them) are measurements, not pictures: they
must reach the file in full float, lossless, unfiltered and without colour management. What
Blender really writes depends on the version and on the type of the socket feeding each File
Output input; the facts are in docs/accurate-depth.md. Each rule is checked per target version
and says which versions it applies to when not all.

Findings on outputs marked `preview=true` (and on data that only reaches Viewers) are lowered one
level (error -> warning, warning -> info): a preview is for eyes, not measurements.
"""

from nodescript.lint.rules.precision import (  # noqa: F401  (each registers its rule)
    background_depth_saturates, clamped_data, color_managed_data, compositing_disabled,
    data_in_half_float, data_in_integer_format, depth_of_field_on_data, dithered_data,
    lossy_exr_codec, normalize_on_data, panoramic_depth, pass_not_enabled,
    spatial_filter_on_data)
from nodescript.lint.rules.precision.common import (  # noqa: F401  (used by fixes and tests)
    CHECKS, FIXABLE, analysis, half_step, length, problems, pxr24_step)
