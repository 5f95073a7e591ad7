using System.Security.Cryptography;
using System.Text;

namespace Cxdi.Plugins.Formats.Tests;

/// <summary>A temporary directory removed at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cxdi-formats-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class TestData
{
    /// <summary>The shared ESRF logo data directory, found by walking up from the test's base directory; null when absent.</summary>
    public static string? LogoDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "data", "esrf-logo-id10");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static string Sha256OfFloats(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Writes one EDF block (header padded to a multiple of 512 bytes, then the raw data) to a stream.</summary>
    public static void WriteEdfBlock(Stream stream, IEnumerable<(string Key, string Value)> keys, ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder("{\n");
        foreach (var (k, v) in keys)
        {
            sb.Append(k).Append(" = ").Append(v).Append(" ;\n");
        }

        var length = sb.Length + 2;
        var padded = (length + 511) / 512 * 512;
        sb.Append(' ', padded - length).Append("}\n");
        stream.Write(Encoding.ASCII.GetBytes(sb.ToString()));
        stream.Write(data);
    }

    public static byte[] Bytes<T>(T[] values)
        where T : unmanaged
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        return bytes;
    }
}
