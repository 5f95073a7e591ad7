using Cxdi.Plugins.Formats.Hdf5;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Formats.Tests;

public sealed class Hdf5ReaderTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly Hdf5Reader _reader = new();

    public void Dispose() => _tmp.Dispose();

    private const string Prelude = """
        import numpy as np, h5py
        def pattern(shape, dtype, seed):
            rng = np.random.default_rng(seed)
            a = rng.poisson(rng.uniform(0, 50, size=shape)).astype(dtype)
            return a
        def expect(name, a):
            np.ascontiguousarray(a).astype('<f4').tofile(name + '.f32')
        """;

    [PythonFact("numpy", "h5py")]
    public void Read_CxiWrittenByH5py_DataMaskGeometryExact()
    {
        Python.Run(Prelude + """

            d = pattern((3, 20, 24), np.float32, 1)
            d[1, 2, 3] = np.nan
            m = np.zeros((20, 24), np.uint32); m[0, :] = 0x80; m[5, 6] = 0x10; m[7, 7] = 0x10000
            with h5py.File('a.cxi', 'w') as f:
                f['cxi_version'] = 160
                e = f.create_group('entry_1')
                det = e.create_group('instrument_1/detector_1')
                det.create_dataset('data', data=d, chunks=(1, 10, 24), compression='gzip', shuffle=True)
                det['mask'] = m
                det['distance'] = 5.0
                det['x_pixel_size'] = 55e-6
                det['y_pixel_size'] = 55e-6
                det['distance'].attrs['units'] = 'm'
                e['instrument_1/source_1/energy'] = 8000 * 1.602176634e-19
                e['data_1/data'] = h5py.SoftLink('/entry_1/instrument_1/detector_1/data')
                e.attrs['title'] = 'test'
            expect('a', np.nan_to_num(d, nan=0))
            """, _tmp.Path);

        var data = _reader.Read(new DataPath(_tmp.File("a.cxi")), new Hdf5Options(), StepContext.None);

        Assert.Equal(Shape.Of(3, 20, 24), data.Shape);
        Assert.Equal(ReadExpected("a"), data.Intensity);
        Assert.Equal((uint)MaskFlags.Gap, data.Mask[5]);
        Assert.Equal((uint)MaskFlags.Beamstop, data.Mask[(5 * 24) + 6]);
        Assert.Equal((uint)MaskFlags.Beamstop, data.Mask[(2 * 480) + (5 * 24) + 6]);
        Assert.Equal(0u, data.Mask[(7 * 24) + 7]); // the object-space support bit is not a detector flag
        Assert.Equal((uint)MaskFlags.Invalid, data.Mask[480 + (2 * 24) + 3]);
        Assert.Equal(1L, data.Metadata["invalid_nan_count"]);
        Assert.Equal(5.0, data.Geometry.DetectorDistance);
        Assert.Equal(55e-6, data.Geometry.PixelSizeX);
        Assert.Equal(Geometry.PlanckTimesC / (8000 * 1.602176634e-19), data.Geometry.Wavelength!.Value, 1e-20);
        Assert.Equal("/entry_1/data_1/data", data.Metadata["hdf5.dataset"]);
        Assert.Equal(160.0, data.Metadata["cxi_version"]);
    }

    [PythonFact("numpy", "h5py")]
    public void Read_FrameRangeSumAndInnerPath_SelectExactly()
    {
        Python.Run(Prelude + """

            d = pattern((5, 8, 6), np.uint16, 2)
            with h5py.File('s.h5', 'w') as f:
                f.create_dataset('scan/frames', data=d, chunks=(2, 8, 6), compression='gzip')
                f['scan/angles'] = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
            expect('mid', d[1:4])
            expect('sum', d[1:4].astype(np.float64).sum(axis=0))
            """, _tmp.Path);
        var file = _tmp.File("s.h5");

        var mid = _reader.Read(DataPath.Parse(file + ":/scan/frames"), new Hdf5Options { FirstFrame = 1, FrameCount = 3, TiltAngles = "/scan/angles" }, StepContext.None);
        Assert.Equal(Shape.Of(3, 8, 6), mid.Shape);
        Assert.Equal(ReadExpected("mid"), mid.Intensity);
        Assert.Equal([-Math.PI / 180, 0, Math.PI / 180], mid.Geometry.TiltAngles!);

        var sum = _reader.Read(new DataPath(file), new Hdf5Options { Dataset = "scan/frames", FirstFrame = 1, FrameCount = 3, SumFrames = true }, StepContext.None);
        Assert.Equal(Shape.Of(8, 6), sum.Shape);
        Assert.Equal(ReadExpected("sum"), sum.Intensity);
    }

    [PythonFact("numpy", "h5py", "hdf5plugin", Python.BitshuffleFilter)]
    public void Read_BitshuffleLz4AndLz4Chunks_MatchH5py()
    {
        Python.Run(Prelude + """

            import hdf5plugin
            a = pattern((3, 64, 100), np.uint32, 3)     # 6400 elements per chunk: 3 full 2048-element blocks + one of 256
            b = pattern((2, 37, 41), np.int32, 4)       # 1517 per chunk: the last 5 elements are stored raw
            c = pattern((2, 30, 50), np.int16, 5)
            e = pattern((2, 16, 16), np.float32, 6)
            with h5py.File('bs.h5', 'w') as f:
                f.create_dataset('a', data=a, chunks=(1, 64, 100), **hdf5plugin.Bitshuffle(cname='lz4'))
                f.create_dataset('b', data=b, chunks=(1, 37, 41), **hdf5plugin.Bitshuffle(cname='lz4'))
                f.create_dataset('c', data=c, chunks=(1, 30, 50), **hdf5plugin.LZ4())
                f.create_dataset('d', data=a, chunks=(1, 64, 100), **hdf5plugin.Bitshuffle(cname='none'))
                f.create_dataset('e', data=e, chunks=(1, 16, 16), **hdf5plugin.Bitshuffle(cname='lz4'))
            for k, v in dict(a=a, b=b, c=c, d=a, e=e).items():
                expect(k, v)
            """, _tmp.Path);
        var file = _tmp.File("bs.h5");

        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            var data = _reader.Read(new DataPath(file, "/" + name), new Hdf5Options(), StepContext.None);
            Assert.Equal(ReadExpected(name), data.Intensity);
        }
    }

    [PythonFact("numpy", "h5py")]
    public void Read_EigerPixelMaskDecoded_BigEndianRejectedClearly()
    {
        Python.Run(Prelude + """

            d = pattern((10, 12), '>f4', 7)
            pm = np.zeros((10, 12), np.uint32); pm[0, 0] = 1; pm[1, 1] = 2; pm[2, 2] = 8
            with h5py.File('e.h5', 'w') as f:
                f.create_dataset('entry/data/data', data=d[None, :, :].astype('<u2'), chunks=(1, 10, 12), compression='gzip')
                f['entry/instrument/detector/detectorSpecific/pixel_mask'] = pm
                f['entry/instrument/detector/x_pixel_size'] = 75e-6
                f['entry/instrument/detector/detector_distance'] = 1.5
                f['entry/instrument/beam/incident_wavelength'] = 1.0
                f['entry/instrument/beam/incident_wavelength'].attrs['units'] = 'angstrom'
                f['big'] = d
            expect('e', d.astype('<u2'))
            expect('big', d)
            """, _tmp.Path);
        var file = _tmp.File("e.h5");

        var eiger = _reader.Read(new DataPath(file), new Hdf5Options(), StepContext.None);
        Assert.Equal(Shape.Of(10, 12), eiger.Shape);
        Assert.Equal(ReadExpected("e"), eiger.Intensity);
        Assert.Equal((uint)MaskFlags.Gap, eiger.Mask[0]);
        Assert.Equal((uint)MaskFlags.Dead, eiger.Mask[13]);
        Assert.Equal((uint)MaskFlags.Hot, eiger.Mask[26]);
        Assert.Equal(1e-10, eiger.Geometry.Wavelength!.Value, 1e-22);
        Assert.Equal(75e-6, eiger.Geometry.PixelSizeY);
        Assert.Equal(1.5, eiger.Geometry.DetectorDistance);

        var big = Assert.Throws<UnsupportedFormatException>(() => _reader.Read(new DataPath(file, "/big"), new Hdf5Options { MaskDataset = "none" }, StepContext.None));
        Assert.Contains("e.h5:/big", big.Message, StringComparison.Ordinal);
        Assert.Contains("big-endian", big.Message, StringComparison.Ordinal);
    }

    [PythonFact("numpy", "h5py")]
    public void Read_MissingDatasetOrComplex_ThrowsNamingPath()
    {
        Python.Run("""
            import numpy as np, h5py
            with h5py.File('m.h5', 'w') as f:
                f['x/y'] = np.zeros((4, 4), np.float32)
                f['z'] = np.zeros((4, 4), np.complex64)
                f['v'] = np.zeros(7, np.float32)
            """, _tmp.Path);
        var file = _tmp.File("m.h5");

        var missing = Assert.Throws<InvalidInputException>(() => _reader.Read(new DataPath(file, "/nope"), new Hdf5Options(), StepContext.None));
        Assert.Contains("m.h5:/nope", missing.Message, StringComparison.Ordinal);
        Assert.Contains("/x/y", missing.OneLine, StringComparison.Ordinal);
        var complex = Assert.Throws<UnsupportedFormatException>(() => _reader.Read(new DataPath(file, "/z"), new Hdf5Options(), StepContext.None));
        Assert.Contains("complex", complex.Message, StringComparison.Ordinal);
        Assert.Throws<UnsupportedFormatException>(() => _reader.Read(new DataPath(file, "/v"), new Hdf5Options(), StepContext.None));
        Assert.Throws<InvalidInputException>(() => _reader.Read(new DataPath(file, "/x"), new Hdf5Options(), StepContext.None));
    }

    [PythonFact("numpy", "h5py")]
    public void Read_TruncatedH5pyFile_SaysTruncatedOrCorruptNamingFile()
    {
        Python.Run("""
            import numpy as np, h5py, os
            with h5py.File('cut.h5', 'w') as f:
                f['entry/data/data'] = np.ones((2, 64, 64), np.float32)
            size = os.path.getsize('cut.h5')
            with open('cut.h5', 'r+b') as f:
                f.truncate(size - 5000)
            """, _tmp.Path);

        var error = Assert.Throws<InvalidInputException>(() => _reader.Read(new DataPath(_tmp.File("cut.h5")), new Hdf5Options(), StepContext.None));

        Assert.Contains("cut.h5", error.OneLine, StringComparison.Ordinal);
        Assert.Contains("truncated or corrupt", error.OneLine, StringComparison.Ordinal);
        Assert.DoesNotContain("holds no 2D or 3D", error.OneLine, StringComparison.Ordinal);
    }

    [PythonFact("numpy", "h5py")]
    public void Read_LimaAndBlissLayouts_FindTheFramesNotTheMask()
    {
        Python.Run(Prelude + """

            d = pattern((2, 8, 8), np.int32, 31)
            with h5py.File('lima.h5', 'w') as f:
                f.create_dataset('entry_0000/measurement/data', data=d, chunks=(1, 8, 8), compression='gzip')
            with h5py.File('bliss.h5', 'w') as f:
                f['1.1/instrument/p3/big_pixel_mask'] = np.zeros((16, 16), np.uint8)
                f['1.1/measurement/p3'] = d
                f['1.1/title'] = 'ct 0.1'
            expect('d', d)
            """, _tmp.Path);

        foreach (var name in new[] { "lima.h5", "bliss.h5" })
        {
            var data = _reader.Read(new DataPath(_tmp.File(name)), new Hdf5Options(), StepContext.None);
            Assert.Equal(Shape.Of(2, 8, 8), data.Shape);
            Assert.Equal(ReadExpected("d"), data.Intensity);
        }
    }

    [Fact]
    public void Transpose8x8_MatchesNaiveTranspose()
    {
        var rng = new Random(3);
        for (var t = 0; t < 100; t++)
        {
            var x = (ulong)rng.NextInt64();
            ulong naive = 0;
            for (var r = 0; r < 8; r++)
            {
                for (var c = 0; c < 8; c++)
                {
                    naive |= ((x >> ((8 * r) + c)) & 1) << ((8 * c) + r);
                }
            }

            Assert.Equal(naive, BitShuffle.Transpose8x8(x));
        }
    }

    private float[] ReadExpected(string name)
    {
        var bytes = File.ReadAllBytes(_tmp.File(name + ".f32"));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}

public sealed class EigerMasterTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [PythonFact("numpy", "h5py", "hdf5plugin", Python.BitshuffleFilter)]
    public void Read_EigerMasterWithExternalDataFiles_ConcatenatesFrames()
    {
        Python.Run("""
            import numpy as np, h5py, hdf5plugin
            rng = np.random.default_rng(21)
            parts = [rng.poisson(3, size=(n, 12, 10)).astype(np.uint32) for n in (3, 2)]
            for i, p in enumerate(parts, 1):
                with h5py.File('series_data_%06d.h5' % i, 'w') as f:
                    f.create_dataset('entry/data/data', data=p, chunks=(1, 12, 10), **hdf5plugin.Bitshuffle(cname='lz4'))
            with h5py.File('series_master.h5', 'w') as f:
                for i in (1, 2):
                    f['entry/data/data_%06d' % i] = h5py.ExternalLink('series_data_%06d.h5' % i, '/entry/data/data')
                pm = np.zeros((12, 10), np.uint32); pm[:, 5] = 1
                f['entry/instrument/detector/detectorSpecific/pixel_mask'] = pm
            a = np.concatenate(parts)
            a.astype('<f4').tofile('all.f32'); a[2:4].astype('<f4').tofile('mid.f32')
            """, _tmp.Path);
        var reader = new Cxdi.Plugins.Formats.Hdf5.Hdf5Reader();
        var master = _tmp.File("series_master.h5");

        var all = reader.Read(new DataPath(master), new Cxdi.Plugins.Formats.Hdf5.Hdf5Options(), Cxdi.Sdk.Execution.StepContext.None);
        Assert.Equal(Cxdi.Sdk.Data.Shape.Of(5, 12, 10), all.Shape);
        Assert.Equal(Floats("all"), all.Intensity);
        Assert.Equal(60, all.Mask.Count(m => m == (uint)Cxdi.Sdk.Data.MaskFlags.Gap));

        var mid = reader.Read(new DataPath(master), new Cxdi.Plugins.Formats.Hdf5.Hdf5Options { FirstFrame = 2, FrameCount = 2 }, Cxdi.Sdk.Execution.StepContext.None);
        Assert.Equal(Floats("mid"), mid.Intensity);
        Assert.Equal(2L, mid.Metadata["hdf5.parts"]);
    }

    private float[] Floats(string name)
    {
        var bytes = File.ReadAllBytes(_tmp.File(name + ".f32"));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
