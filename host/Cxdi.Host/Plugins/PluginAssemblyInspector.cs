using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Cxdi.Host.Plugins;

/// <summary>Reads an assembly's metadata without loading it: does it define an <c>ICxdiPluginModule</c>, and which Cxdi.Sdk version does it reference.</summary>
internal static class PluginAssemblyInspector
{
    private const string ModuleInterface = "ICxdiPluginModule";
    private const string ModuleNamespace = "Cxdi.Sdk.Plugins";

    /// <summary>Why <paramref name="path"/> is not a PE image (managed assembly or native library) that can be read, or null when it is one.</summary>
    public static string? NotAnImage(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            _ = pe.PEHeaders; // headers only: cheap, and enough to tell a PE image from anything else
            return null;
        }
        catch (BadImageFormatException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>True when <paramref name="path"/> is a managed assembly with a class implementing <c>Cxdi.Sdk.Plugins.ICxdiPluginModule</c>; <paramref name="sdkVersion"/> is its Cxdi.Sdk reference.</summary>
    public static bool IsPluginModuleAssembly(string path, out Version? sdkVersion)
    {
        sdkVersion = null;
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var md = pe.GetMetadataReader();
            if (!md.IsAssembly)
            {
                return false;
            }

            foreach (var handle in md.AssemblyReferences)
            {
                var reference = md.GetAssemblyReference(handle);
                if (md.StringComparer.Equals(reference.Name, "Cxdi.Sdk"))
                {
                    sdkVersion = reference.Version;
                }
            }

            if (sdkVersion is null)
            {
                return false;
            }

            foreach (var typeHandle in md.TypeDefinitions)
            {
                var type = md.GetTypeDefinition(typeHandle);
                foreach (var implHandle in type.GetInterfaceImplementations())
                {
                    var iface = md.GetInterfaceImplementation(implHandle).Interface;
                    if (iface.Kind == HandleKind.TypeReference)
                    {
                        var tr = md.GetTypeReference((TypeReferenceHandle)iface);
                        if (md.StringComparer.Equals(tr.Name, ModuleInterface) && md.StringComparer.Equals(tr.Namespace, ModuleNamespace))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
