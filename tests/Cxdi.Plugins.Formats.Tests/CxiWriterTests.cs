using System.Globalization;
using Cxdi.Plugins.Formats.Hdf5;
using Cxdi.Plugins.Formats.Writers;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Formats.Tests;

public sealed class CxiWriterTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly CxiWriter _writer = new();

    public void Dispose() => _tmp.Dispose();

    internal static ReconstructionSet SampleSet(bool average)
    {
        var shape = Shape.Of(6, 8);
        var rng = new Random(7);
        Complex32[] Obj() => Enumerable.Range(0, 48).Select(_ => new Complex32((float)rng.NextDouble(), (float)(rng.NextDouble() - 0.5))).ToArray();
        var support = Enumerable.Range(0, 48).Select(i => (byte)(i % 3 == 0 ? 1 : 0)).ToArray();
        var run = new Reconstruction
        {
            Index = 3,
            Seed = 1234567890123,
            Shape = shape,
            Object = Obj(),
            Support = support,
            History = [new MetricSample(1, "HIO", 2.5, 2.7, 0.9, 20), new MetricSample(2, "ER", 1.5, 1.6, 0.4, 16)],
            Llk = 1.5,
            FreeLlk = 1.6,
            Chi2 = 0.4,
            SupportSize = 16,
            State = RunState.Kept,
        };
        var data = new DiffractionData(shape, Enumerable.Range(0, 48).Select(i => (float)i).ToArray(), Enumerable.Range(0, 48).Select(i => i == 5 ? (uint)MaskFlags.Beamstop : 0u).ToArray());
        return new ReconstructionSet
        {
            Shape = shape,
            Runs = [run],
            Average = average ? Obj() : null,
            AverageSupport = average ? support.Select(b => (byte)(1 - b)).ToArray() : null,
            PixelSize = 10e-9,
            Geometry = new Geometry { DetectorDistance = 5, PixelSizeX = 55e-6, PixelSizeY = 55e-6, Wavelength = 1.5e-10 },
            Data = data,
            Provenance = Provenance.Empty.WithSource(new SourceFile("/data/in.edf", new string('a', 64))),
        };
    }

    [PythonFact("numpy", "h5py")]
    public void Write_ReconstructionRun_OpensInH5pyWithCxiLayout()
    {
        var set = SampleSet(average: false);
        var context = new StepContext { Run = new RunInfo("cxdi run wf.yaml", "0.1.0", "schema: 1\nname: t\n") };
        var written = ((IDataWriter)_writer).Write(set, _tmp.File("run_03"), new CxiWriterOptions(), context);

        Assert.Equal([_tmp.File("run_03.cxi")], written);
        Assert.Empty(Directory.GetFiles(_tmp.Path, "*.tmp"));
        var run = set.Runs[0];
        var output = Python.Run("""
            import h5py, numpy as np
            f = h5py.File('run_03.cxi', 'r')
            d = f['/entry_1/image_1/data']
            print(f['cxi_version'][()])
            t = d.id.get_type()
            print((t.get_member_name(0).decode(), t.get_member_name(1).decode()), d.dtype, d.shape)
            v = d[()]
            print(repr(float(v.real[0, 1])), repr(float(v.imag[5, 7])))
            m = f['/entry_1/image_1/mask'][()]
            print(m.dtype, int((m & 0x10000).astype(bool).sum()), int(m[0, 0]))
            p = f['/entry_1/image_1/process_1']
            print(p['command'][()].decode(), '|', p['software_version'][()].decode())
            print(p['configuration'][()].decode().splitlines()[1])
            print(list(p['seeds'][()]), [s.decode() for s in p['input_sha256'][()]][0][:4])
            print(list(p['history/llk'][()]), [a.decode() for a in p['history/algorithm'][()]])
            print(f['/entry_1/image_1/data_space'][()].decode(), '|', f['/entry_1/image_1/data_type'][()].decode())
            print(f['/entry_1/instrument_1/detector_1/distance'][()], f['/entry_1/instrument_1/detector_1/x_pixel_size'][()])
            print(repr(float(f['/entry_1/instrument_1/source_1/energy'][()])), list(f['/entry_1/image_1/image_size'][()]))
            print(f['/entry_1/data_1/data'].dtype, int(f['/entry_1/instrument_1/detector_1/mask'][0, 5]))
            """, _tmp.Path).Split('\n');

        Assert.Equal("160", output[0]);
        Assert.Equal("('r', 'i') complex64 (6, 8)", output[1]);
        Assert.Equal($"{Py(run.Object[1].Re)} {Py(run.Object[47].Im)}", output[2]);
        Assert.Equal("uint32 16 65536", output[3]);
        Assert.Equal("cxdi run wf.yaml | 0.1.0", output[4]);
        Assert.Equal("name: t", output[5]);
        Assert.Equal("[1234567890123] aaaa", output[6]);
        Assert.Equal("[2.5, 1.5] ['HIO', 'ER']", output[7]);
        Assert.Equal("real | electron density", output[8]);
        Assert.Equal("5.0 5.5e-05", output[9]);
        Assert.Equal($"{Py(Geometry.PlanckTimesC / 1.5e-10)} [{Py(8 * 10e-9)}, {Py(6 * 10e-9)}]", output[10]);
        Assert.Equal("float32 16", output[11]);
    }

    [PythonFact("numpy", "h5py")]
    public void Write_Average_IsEntryImageWithAverageSupport()
    {
        var set = SampleSet(average: true);
        ((IDataWriter)_writer).Write(set, _tmp.File("result"), new CxiWriterOptions { Compress = true }, StepContext.None);
        var output = Python.Run("""
            import h5py
            f = h5py.File('result.cxi', 'r')
            v = f['/entry_1/image_1/data'][()]
            m = f['/entry_1/image_1/mask'][()]
            print(repr(float(v.real[2, 3])), int((m & 0x10000).astype(bool).sum()))
            print(f['/entry_1/data_1/data'].compression)
            """, _tmp.Path).Split('\n');
        Assert.Equal($"{Py(set.Average![19].Re)} 32", output[0]);
        Assert.Equal("gzip", output[1]);
    }

    [Fact]
    public void Write_DiffractionData_RoundTripsThroughCxiReader()
    {
        var shape = Shape.Of(3, 4, 5);
        var values = Enumerable.Range(0, 60).Select(i => i * 1.25f).ToArray();
        var mask = Enumerable.Range(0, 60).Select(i => i % 7 == 0 ? (uint)MaskFlags.Hot : 0u).ToArray();
        var truth = Enumerable.Range(0, 60).Select(i => new Complex32(i, -i)).ToArray();
        var data = new DiffractionData(shape, values, mask)
        {
            Geometry = new Geometry { DetectorDistance = 2, PixelSizeX = 75e-6, PixelSizeY = 75e-6, Wavelength = 1e-10, TiltAngles = [0.1, 0.2, 0.3] },
            GroundTruth = truth,
        };

        var path = Assert.Single(((IDataWriter)_writer).Write(data, _tmp.File("sim"), new CxiWriterOptions(), StepContext.None));
        var back = new Hdf5Reader().Read(new DataPath(path), new Hdf5Options { TiltAngles = "/entry_1/data_1/tilt_angles" }, StepContext.None);

        Assert.Equal(shape, back.Shape);
        Assert.Equal(values, back.Intensity);
        Assert.Equal(mask, back.Mask);
        Assert.Equal(truth, back.GroundTruth);
        Assert.Equal(2.0, back.Geometry.DetectorDistance);
        Assert.Equal(75e-6, back.Geometry.PixelSizeY);
        Assert.Equal(1e-10, back.Geometry.Wavelength!.Value, 1e-22);
        Assert.Equal([0.1, 0.2, 0.3], back.Geometry.TiltAngles!);
    }

    [Fact]
    public void CanWrite_AcceptsDataAndSetsOnly()
    {
        Assert.True(_writer.CanWrite(SampleSet(true)));
        Assert.True(_writer.CanWrite(new DiffractionData(Shape.Of(2, 2), new float[4])));
        Assert.False(_writer.CanWrite(new ReconstructionSet { Shape = Shape.Of(2, 2) }));
        Assert.False(_writer.CanWrite(new ReconstructionSet { Shape = Shape.Of(2, 2), Runs = [new Reconstruction { Shape = Shape.Of(2, 2), State = RunState.Failed }] }));
    }

    private static string Py(float v) => Py((double)v);

    private static string Py(double v)
    {
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E', StringComparison.Ordinal))
        {
            var parts = s.Split('E');
            var exp = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return $"{parts[0]}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }

        return s.Contains('.', StringComparison.Ordinal) ? s : s + ".0";
    }
}
