using Cxdi.Plugins.Formats.Hdf5;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Formats.Tests;

/// <summary>Conformance with the CXI 1.6 pixel-mask bit list (Maia 2012; cxidb.org), each bit written by h5py.</summary>
public sealed class CxiMaskBitsTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>CXI bit → the flags the reader must give (0 = informational: measured, the bit dropped).</summary>
    public static readonly (uint Cxi, string Name, MaskFlags Expected)[] Bits =
    [
        (0x1, "INVALID", MaskFlags.Invalid),
        (0x2, "SATURATED", MaskFlags.Saturated),
        (0x4, "HOT", MaskFlags.Hot),
        (0x8, "DEAD", MaskFlags.Dead),
        (0x10, "SHADOWED", MaskFlags.Beamstop),
        (0x20, "IN_PEAKMASK", MaskFlags.User),
        (0x40, "TO_BE_IGNORED", MaskFlags.Ignore),
        (0x80, "BAD", MaskFlags.Gap),
        (0x100, "OUT_OF_RESOLUTION_LIMITS", MaskFlags.Empty),
        (0x200, "MISSING", MaskFlags.Missing),
        (0x400, "NOISY", MaskFlags.None),
        (0x800, "ARTIFACT_CORRECTED", MaskFlags.None),
        (0x1000, "FAILED_ARTIFACT_CORRECTION", MaskFlags.Invalid),
        (0x2000, "PEAK_FOR_HITFINDER", MaskFlags.None),
        (0x4000, "PHOTON_BACKGROUND_CORRECTED", MaskFlags.None),
        (0x8000, "(unassigned)", MaskFlags.Invalid),
        (0x10000, "SUPPORT (object space)", MaskFlags.None),
        (0x20000, "(unassigned)", MaskFlags.Invalid),
    ];

    [PythonFact("numpy", "h5py")]
    public void Read_EachCxiMaskBitWrittenByH5py_MapsPixelByPixel()
    {
        // Row 0: pixel k carries bit k alone; row 1: bit k with MISSING; row 2: none; row 3: every informational bit.
        Python.Run($$"""
            import numpy as np, h5py
            bits = [{{string.Join(", ", Bits.Select(b => b.Cxi))}}]
            n = len(bits)
            m = np.zeros((4, n), np.uint32)
            m[0, :] = bits
            m[1, :] = np.array(bits, np.uint32) | 0x200
            m[3, :] = 0x400 | 0x800 | 0x2000 | 0x4000
            d = np.arange(4 * n, dtype=np.float32).reshape(4, n) + 1
            with h5py.File('bits.cxi', 'w') as f:
                f['cxi_version'] = 160
                f['entry_1/instrument_1/detector_1/data'] = d
                f['entry_1/instrument_1/detector_1/mask'] = m
                f['entry_1/data_1/data'] = h5py.SoftLink('/entry_1/instrument_1/detector_1/data')
            """, _tmp.Path);

        var data = new Hdf5Reader().Read(new DataPath(_tmp.File("bits.cxi")), new Hdf5Options(), StepContext.None);

        var n = Bits.Length;
        Assert.Equal(Shape.Of(4, n), data.Shape);
        for (var k = 0; k < n; k++)
        {
            var (cxi, name, expected) = Bits[k];
            Assert.True((uint)expected == data.Mask[k], $"CXI {name} (0x{cxi:x}) → 0x{data.Mask[k]:x}, expected {expected}");
            Assert.True(data.IsMeasured(k) == (expected == MaskFlags.None), $"CXI {name} measured = {data.IsMeasured(k)}");
            Assert.Equal((uint)(expected | MaskFlags.Missing), data.Mask[n + k]);
            Assert.False(data.IsMeasured(n + k), $"CXI {name} | MISSING must be unknown");
            Assert.Equal(0u, data.Mask[(2 * n) + k]);
            Assert.Equal(0u, data.Mask[(3 * n) + k]);
            Assert.Equal((float)((3 * n) + k + 1), data.Intensity[(3 * n) + k]);
        }

        Assert.Equal((long)n + 2, data.Metadata["cxi_mask_noisy_count"]); // rows 0 and 1 once each, row 3 everywhere
    }

    [PythonFact("numpy", "h5py")]
    public void Read_DetectorGapWrittenByH5pyAsMissing_IsNotAMeasuredZero()
    {
        Python.Run("""
            import numpy as np, h5py
            d = np.full((8, 8), 5, np.float32); d[:, 3] = 0
            m = np.zeros((8, 8), np.uint32); m[:, 3] = 0x200
            with h5py.File('gap.cxi', 'w') as f:
                f['entry_1/data_1/data'] = d
                f['entry_1/instrument_1/detector_1/mask'] = m
            """, _tmp.Path);

        var data = new Hdf5Reader().Read(new DataPath(_tmp.File("gap.cxi")), new Hdf5Options(), StepContext.None);

        Assert.Equal(8, Enumerable.Range(0, 64).Count(i => !data.IsMeasured(i)));
        Assert.All(Enumerable.Range(0, 8), y => Assert.False(data.IsMeasured((y * 8) + 3)));
    }
}
