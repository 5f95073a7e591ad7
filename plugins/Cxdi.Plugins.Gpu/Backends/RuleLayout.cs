using System.Reflection;
using System.Runtime.InteropServices;

namespace Cxdi.Plugins.Gpu.Backends;

/// <summary>
/// The bytes of an update-rule struct as a kernel reads them from device memory. ILGPU's CPU accelerator runs the .NET IL,
/// so it reads the .NET layout; compiled backends (PTX) lay structures out themselves: as read from the PTX ILGPU 1.5.3 emits
/// for the built-in rules, every field starts at a multiple of the structure's largest field alignment (a float and two
/// bools: offsets 0, 4, 8; two bools: 0, 1). Rules made of primitive fields (bool, integers, float, double) are packed
/// that way; anything else returns null and the rule runs through the managed default.
/// </summary>
public static class RuleLayout
{
    /// <summary>The .NET bytes of <paramref name="rule"/>.</summary>
    public static byte[] Native<TRule>(TRule rule)
        where TRule : unmanaged => MemoryMarshal.AsBytes(new ReadOnlySpan<TRule>(in rule)).ToArray();

    /// <summary>The bytes of <paramref name="rule"/> in ILGPU's device layout, or null for a field type it does not pack.</summary>
    public static byte[]? Device(object rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var type = rule.GetType();
        if (Offsets(type) is not { } offsets)
        {
            return null;
        }

        var fields = Fields(type).ToList();
        var align = fields.Count == 0 ? 1 : fields.Max(f => Primitive(f.FieldType)!.Value);
        var size = fields.Count == 0 ? 1 : offsets[^1] + Primitive(fields[^1].FieldType)!.Value;
        var bytes = new byte[(size + align - 1) / align * align];
        for (var i = 0; i < fields.Count; i++)
        {
            var span = bytes.AsSpan(offsets[i]);
            switch (fields[i].GetValue(rule))
            {
                case bool b: span[0] = b ? (byte)1 : (byte)0; break;
                case byte v: span[0] = v; break;
                case sbyte v: span[0] = unchecked((byte)v); break;
                case short v: BitConverter.TryWriteBytes(span, v); break;
                case ushort v: BitConverter.TryWriteBytes(span, v); break;
                case int v: BitConverter.TryWriteBytes(span, v); break;
                case uint v: BitConverter.TryWriteBytes(span, v); break;
                case long v: BitConverter.TryWriteBytes(span, v); break;
                case ulong v: BitConverter.TryWriteBytes(span, v); break;
                case float v: BitConverter.TryWriteBytes(span, v); break;
                case double v: BitConverter.TryWriteBytes(span, v); break;
                default: return null;
            }
        }

        return bytes;
    }

    /// <summary>Offsets of the fields of <paramref name="type"/> in ILGPU's device layout, or null when a field is not a primitive.</summary>
    public static IReadOnlyList<int>? Offsets(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var fields = Fields(type).ToList();
        if (!type.IsValueType || fields.Any(f => Primitive(f.FieldType) is null))
        {
            return null;
        }

        var align = fields.Count == 0 ? 1 : fields.Max(f => Primitive(f.FieldType)!.Value);
        var offsets = new List<int>();
        var offset = 0;
        foreach (var field in fields)
        {
            offset = Align(offset, align);
            offsets.Add(offset);
            offset += Primitive(field.FieldType)!.Value;
        }

        return offsets;
    }

    private static int? Primitive(Type type) =>
        type == typeof(bool) || type == typeof(byte) || type == typeof(sbyte) ? 1
        : type == typeof(short) || type == typeof(ushort) ? 2
        : type == typeof(int) || type == typeof(uint) || type == typeof(float) ? 4
        : type == typeof(long) || type == typeof(ulong) || type == typeof(double) ? 8
        : null;

    private static IEnumerable<FieldInfo> Fields(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken);

    private static int Align(int offset, int align) => (offset + align - 1) / align * align;
}
