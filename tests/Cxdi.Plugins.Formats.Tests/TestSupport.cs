using System.Security.Cryptography;
using System.Text;

namespace Cxdi.Plugins.Formats.Tests;

internal static class TestData
{
    /// <summary>The shared ESRF logo data directory; null when absent.</summary>
    public static string? LogoDirectory() => LogoDataLocation.Find();

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
