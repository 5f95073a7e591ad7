using Cxdi.Plugins.Formats.Numpy;
using Cxdi.Plugins.Formats.Writers;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Formats.Tests;

public sealed class NpyTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly NpyReader _reader = new();

    public void Dispose() => _tmp.Dispose();

    [PythonFact("numpy")]
    public void Read_AllDtypesOrdersAndVersions_MatchNumpy()
    {
        Python.Run("""
            import numpy as np
            from numpy.lib import format as fmt
            rng = np.random.default_rng(11)
            base = rng.integers(0, 100, size=(4, 5, 6))
            cases = {}
            for dt in ['<f4', '>f4', '<f8', '>f8', 'i1', 'u1', '<i2', '>u2', '<i4', '<u4', '>i8', '<u8']:
                cases['c_' + dt.replace('<', 'l').replace('>', 'b')] = base.astype(dt)
            cases['bool'] = base > 50
            cases['fortran3'] = np.asfortranarray(base.astype('<f4'))
            cases['fortran2'] = np.asfortranarray(base[1].astype('<i2'))
            for name, a in cases.items():
                np.save(name + '.npy', a)
                np.ascontiguousarray(a).astype('<f4').tofile(name + '.f32')
            for v in [(2, 0), (3, 0)]:
                with open('v%d.npy' % v[0], 'wb') as f:
                    fmt.write_array(f, base.astype('<f4'), version=v)
                base.astype('<f4').tofile('v%d.f32' % v[0])
            print(' '.join(cases))
            """, _tmp.Path);

        foreach (var name in Directory.GetFiles(_tmp.Path, "*.npy").Select(Path.GetFileNameWithoutExtension))
        {
            var file = _tmp.File(name + ".npy");
            Assert.True(_reader.CanRead(file, File.ReadAllBytes(file).AsSpan(0, 64)));
            var data = _reader.Read(new DataPath(file), new NpyOptions(), StepContext.None);
            Assert.Equal(Expected(name!), data.Intensity);
            Assert.Equal(name == "fortran2" ? Shape.Of(5, 6) : Shape.Of(4, 5, 6), data.Shape);
        }
    }

    [PythonFact("numpy")]
    public void Read_NpzStoredAndDeflatedMembers_WithMaskMember()
    {
        Python.Run("""
            import numpy as np
            rng = np.random.default_rng(12)
            d = rng.poisson(5, size=(3, 8, 9)).astype(np.float32)
            m = np.zeros((8, 9), np.uint8); m[2, 3] = 1
            np.savez('s.npz', data=d, mask=m)
            np.savez_compressed('c.npz', other=d[0], data=d)
            d.tofile('d.f32'); d[0].tofile('d0.f32'); d[1:3].tofile('d12.f32')
            """, _tmp.Path);

        var stored = _reader.Read(new DataPath(_tmp.File("s.npz")), new NpyOptions(), StepContext.None);
        Assert.Equal(Expected("d"), stored.Intensity);
        Assert.Equal((uint)MaskFlags.User, stored.Mask[(2 * 9) + 3]);
        Assert.Equal((uint)MaskFlags.User, stored.Mask[(2 * 72) + (2 * 9) + 3]);
        Assert.Equal(3, stored.Mask.Count(m => m != 0));

        var member = _reader.Read(DataPath.Parse(_tmp.File("c.npz") + ":/other"), new NpyOptions(), StepContext.None);
        Assert.Equal(Expected("d0"), member.Intensity);
        var frames = _reader.Read(new DataPath(_tmp.File("c.npz")), new NpyOptions { Member = "data", FirstFrame = 1 }, StepContext.None);
        Assert.Equal(Expected("d12"), frames.Intensity);

        var missing = Assert.Throws<InvalidInputException>(() => _reader.Read(new DataPath(_tmp.File("c.npz"), "/nope"), new NpyOptions(), StepContext.None));
        Assert.Contains("c.npz:/nope", missing.Message, StringComparison.Ordinal);
        Assert.Contains("other", missing.OneLine, StringComparison.Ordinal);
    }

    [PythonFact("numpy")]
    public void Read_Complex_RejectedWithReason()
    {
        Python.Run("import numpy as np\nnp.save('z.npy', np.zeros((4, 4), np.complex64))\n", _tmp.Path);
        var ex = Assert.Throws<UnsupportedFormatException>(() => _reader.Read(new DataPath(_tmp.File("z.npy")), new NpyOptions(), StepContext.None));
        Assert.Contains("complex", ex.Message, StringComparison.Ordinal);
        Assert.Contains("z.npy", ex.Message, StringComparison.Ordinal);
    }

    [PythonFact("numpy")]
    public void Writer_Npy_LoadsInNumpyExactly()
    {
        var data = new DiffractionData(Shape.Of(2, 3, 4), Enumerable.Range(0, 24).Select(i => i * 0.5f).ToArray(), Enumerable.Range(0, 24).Select(i => (uint)(i % 5 == 0 ? 0x10 : 0)).ToArray());
        var files = ((IDataWriter)new NpyWriter()).Write(data, _tmp.File("out"), new NpyWriterOptions(), StepContext.None);
        Assert.Equal([_tmp.File("out.npy"), _tmp.File("out_mask.npy")], files);

        var output = Python.Run("""
            import numpy as np
            a = np.load('out.npy'); m = np.load('out_mask.npy')
            print(a.dtype, a.shape, float(a.sum()), float(a[1, 2, 3]), m.dtype, int(m.sum()))
            """, _tmp.Path).Trim();
        Assert.Equal("float32 (2, 3, 4) 138.0 11.5 uint32 80", output);

        var back = _reader.Read(new DataPath(files[0]), new NpyOptions { Mask = files[1] }, StepContext.None);
        Assert.Equal(data.Intensity, back.Intensity);
        Assert.Equal(data.Mask.Select(m => m != 0 ? (uint)MaskFlags.User : 0u), back.Mask);
    }

    private float[] Expected(string name)
    {
        var bytes = File.ReadAllBytes(_tmp.File(name + ".f32"));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
