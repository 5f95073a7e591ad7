using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Roles;

namespace Cxdi.Sdk.Readers;

/// <summary>Checks shared by the readers, each failing with a one-line <see cref="InvalidInputException"/> (or <see cref="UnsupportedFormatException"/>) naming the file.</summary>
public static class ReaderErrors
{
    /// <summary>Largest number of elements a reader returns in one array.</summary>
    public static long MaxElements => Array.MaxLength;

    /// <summary>Throws unless <paramref name="file"/> exists and is a regular file.</summary>
    public static void RequireFile(string file)
    {
        if (string.IsNullOrEmpty(file))
        {
            throw new InvalidInputException("(no file)", "no input file given", "set input.path in the workflow or pass a file on the command line");
        }

        if (Directory.Exists(file))
        {
            throw new InvalidInputException(file, "is a directory, not a file", "name a data file inside it");
        }

        if (!File.Exists(file))
        {
            throw new InvalidInputException(file, "file not found", "check the path (relative paths are resolved from the working directory)");
        }
    }

    /// <summary>
    /// Checks declared dimensions (each ≥ 1, element count within <see cref="MaxElements"/>) and, when
    /// <paramref name="available"/> is given, that <paramref name="elementSize"/> × count bytes fit in it; returns the byte count.
    /// Never allocates.
    /// </summary>
    public static long CheckDeclaredSize(string file, IReadOnlyList<long> dims, int elementSize, long? available, string what = "data")
    {
        if (dims.Count == 0)
        {
            throw new InvalidInputException(file, $"{what} is a scalar, not an image", "point at a 2D or 3D dataset");
        }

        decimal count = 1;
        foreach (var d in dims)
        {
            if (d <= 0)
            {
                throw new InvalidInputException(file, $"{what} declares dimension {d} in [{string.Join(", ", dims)}]; every dimension must be at least 1", "the header is corrupt or the array is empty");
            }

            count *= d;
            if (count > long.MaxValue / 16)
            {
                break;
            }
        }

        if (count > MaxElements)
        {
            throw new InvalidInputException(file, $"{what} declares {string.Join("x", dims)} = {count:0} elements, more than the {MaxElements} one array can hold", "crop, bin or read a frame range (first_frame, frame_count)");
        }

        var bytes = (long)count * elementSize;
        if (bytes > Array.MaxLength)
        {
            throw new InvalidInputException(file, $"{what} declares {string.Join("x", dims)} elements of {elementSize} bytes ({bytes} bytes), more than one array can hold", "read a frame range (first_frame, frame_count) or crop the data first");
        }

        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (memory > 0 && bytes * 3 > memory)
        {
            throw new InvalidInputException(file, $"{what} declares {string.Join("x", dims)} elements ({bytes >> 20} MiB), too large for the {memory >> 20} MiB of memory available", "read a frame range (first_frame, frame_count) or bin the data first");
        }

        if (available is { } have && bytes > have)
        {
            throw new InvalidInputException(file, $"{what} declares {string.Join("x", dims)} elements ({bytes} bytes) but only {have} bytes are in the file", "the file is truncated or its header is wrong");
        }

        return bytes;
    }

    /// <summary>Drops leading singleton axes beyond the third and checks the result is 2D or 3D with int-sized axes.</summary>
    public static long[] NormaliseDims(DataPath source, long[] stored)
    {
        var dims = stored.ToList();
        while (dims.Count > 3 && dims[0] == 1)
        {
            dims.RemoveAt(0);
        }

        if (dims.Count < 2 || dims.Count > 3)
        {
            throw new UnsupportedFormatException(source.ToString(), $"array has {stored.Length} dimension(s) [{string.Join("x", stored)}]; a diffraction pattern is 2D and a stack or volume 3D", "point at a 2D or 3D dataset");
        }

        foreach (var d in dims)
        {
            if (d < 1 || d > int.MaxValue)
            {
                throw new InvalidInputException(source.ToString(), $"dimension {d} in {string.Join("x", stored)} is out of range (1 … {int.MaxValue})", "the header is corrupt or the array is empty");
            }
        }

        CheckDeclaredSize(source.ToString(), dims, 4, available: null);
        return [.. dims];
    }
}
