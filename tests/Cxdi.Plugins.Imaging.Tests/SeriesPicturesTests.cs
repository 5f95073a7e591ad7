using System.Buffers.Binary;
using System.Text;
using Cxdi.Plugins.Imaging.Rendering;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Imaging.Tests;

/// <summary>Pictures of a time-resolved series: per-frame metrics and an animated PNG.</summary>
public sealed class SeriesPicturesTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cxdi-series-png-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static ReconstructionSet Series(int frames, int n)
    {
        var stack = new Complex32[frames * n * n];
        var supports = new byte[frames * n * n];
        var runs = new List<Reconstruction>();
        for (var f = 0; f < frames; f++)
        {
            var (obj, support) = Synthetic.Disc(n, n / 5, (n / 2) + f, n / 2);
            obj.CopyTo(stack, f * n * n);
            support.CopyTo(supports, f * n * n);
            runs.Add(new Reconstruction { Index = 10 + f, Shape = Shape.Of(n, n), State = RunState.Kept, Llk = 1 + (0.1 * f), FreeLlk = 1.2 + (0.1 * f), SupportSize = support.Count(b => b != 0), RMatch = f == 0 ? null : 0.02 });
        }

        var set = new ReconstructionSet { Shape = Shape.Of(frames, n, n), Runs = runs, Average = stack, AverageSupport = supports };
        set.Findings["cxdi.phase.series"] = new Dictionary<string, object>
        {
            ["frames"] = runs.Select(r => r.Index).ToArray(),
            ["error_to_truth"] = Enumerable.Range(0, frames).Select(f => 0.01 * (f + 1)).ToArray(),
        };
        return set;
    }

    [Fact]
    public void Write_Series_WritesMetricsAndAnAnimationWithOneFramePerFrame()
    {
        var files = new PngWriter().Write(Series(5, 48), Path.Combine(_dir.FullName, "result"), new PngWriterOptions { Width = 640, Height = 480 }, StepContext.None);
        var names = files.Select(f => Path.GetFileNameWithoutExtension(f)["result_".Length..]).ToList();
        Assert.Contains("series_metrics", names);
        Assert.Contains("movie", names);
        Assert.DoesNotContain("metrics", names); // not one LLK curve per frame

        var movie = File.ReadAllBytes(files.Single(f => f.EndsWith("_movie.png", StringComparison.Ordinal)));
        var chunks = Chunks(movie);
        Assert.Equal("IHDR", chunks[0].Type);
        var control = chunks.Single(c => c.Type == "acTL").Data;
        Assert.Equal(5, BinaryPrimitives.ReadInt32BigEndian(control));
        Assert.Equal(5, chunks.Count(c => c.Type == "fcTL"));
        Assert.Single(chunks, c => c.Type == "IDAT");
        Assert.Equal(4, chunks.Count(c => c.Type == "fdAT"));
        Assert.Equal("IEND", chunks[^1].Type);

        // Sequence numbers of fcTL and fdAT run 0, 1, 2… without gaps, as the APNG specification requires.
        var sequence = chunks.Where(c => c.Type is "fcTL" or "fdAT").Select(c => BinaryPrimitives.ReadInt32BigEndian(c.Data)).ToArray();
        Assert.Equal(Enumerable.Range(0, sequence.Length), sequence);

        // The first frame is an ordinary PNG to viewers without APNG: the standard reader decodes it.
        using var png = new Png(files.Single(f => f.EndsWith("_movie.png", StringComparison.Ordinal)));
        Assert.True(png.Width > 2 * png.Height - 20);
    }

    [Fact]
    public void Crc_MatchesTheStandardCheckValue() =>
        Assert.Equal(0xCBF43926u, ApngEncoder.Crc(Encoding.ASCII.GetBytes("123456789")));

    private static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (var i = 8; i < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(i));
            var type = Encoding.ASCII.GetString(png, i + 4, 4);
            var data = png.AsSpan(i + 8, length).ToArray();
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(i + 8 + length));
            Assert.Equal(ApngEncoder.Crc(png.AsSpan(i + 4, length + 4)), crc);
            chunks.Add((type, data));
            i += 12 + length;
        }

        return chunks;
    }
}
