using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

// TorchSharp passes the native pointers of its Scalar and Tensor wrappers to libtorch as plain IntPtr and does not keep
// the wrappers alive for the length of the call. Once a temporary wrapper's pointer has been read (the `1` that
// `a.add(b)` converts to a Scalar, the `eps` in Adam.step), the JIT treats the wrapper as dead: a collection started by
// any other thread in that window runs its finalizer, which frees the native object while libtorch reads it. The result
// is an exception ("Expected false to be true ... toFloat") or, worse, a silently wrong number. This tool adds
// GC.KeepAlive for every reference a method holds (this, arguments, locals) before each return of every TorchSharp
// method that calls native code: the fix the library itself would need, applied to its shipped assembly.
return KeepAliveWeaver.Run(args);

static class KeepAliveWeaver
{
    /// <summary>Marks an assembly as rewritten (AssemblyMetadata key); the value is <see cref="Revision"/>.</summary>
    public const string MarkerKey = "Atelier.TorchSharpKeepAlive";
    /// <summary>Which rewriting made the assembly; bump it when the rewriting changes.</summary>
    public const string Revision = "1";

    public static int Run(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: TorchSharpKeepAlive SHIPPED/TorchSharp.dll REWRITTEN/TorchSharp.dll");
            return 2;
        }
        try
        {
            Console.WriteLine(Rewrite(Path.GetFullPath(args[0]), Path.GetFullPath(args[1])));
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            Console.Error.WriteLine($"TorchSharpKeepAlive: {args[0]}: {e.Message}");
            return 1;
        }
    }

    static string Rewrite(string path, string output)
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(path)!);
        resolver.AddSearchDirectory(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        using var module = ModuleDefinition.ReadModule(path, new ReaderParameters { InMemory = true, AssemblyResolver = resolver, ReadingMode = ReadingMode.Immediate });
        if (module.Assembly.Name.Name != "TorchSharp") throw new InvalidOperationException($"expected TorchSharp, found {module.Assembly.Name.Name}");
        if (IsRewritten(module.Assembly)) throw new InvalidOperationException("already rewritten: expected the assembly as shipped");

        var runtime = module.AssemblyReferences.FirstOrDefault(a => a.Name is "System.Runtime" or "netstandard")
            ?? throw new InvalidOperationException("no reference to System.Runtime or netstandard");
        var keepAlive = new MethodReference("KeepAlive", module.TypeSystem.Void, new TypeReference("System", "GC", module, runtime));
        keepAlive.Parameters.Add(new ParameterDefinition(module.TypeSystem.Object));

        int methods = 0, references = 0;
        foreach (var method in module.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody && CallsNative(m)))
        {
            HoldInlineTemporaries(method);
            var kept = Kept(method);
            if (kept.Count == 0) continue;
            KeepUntilReturn(method, kept, keepAlive);
            methods++;
            references += kept.Count;
        }

        var metadata = new TypeReference("System.Reflection", "AssemblyMetadataAttribute", module, runtime);
        var ctor = new MethodReference(".ctor", module.TypeSystem.Void, metadata) { HasThis = true };
        ctor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        ctor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        var marker = new CustomAttribute(ctor);
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, MarkerKey));
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, Revision));
        module.Assembly.CustomAttributes.Add(marker);

        // Written beside and renamed over, so a concurrent build or a killed one never leaves half a file.
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var temporary = $"{output}.{Environment.ProcessId}.tmp";
        try
        {
            module.Write(temporary);
            File.Move(temporary, output, overwrite: true);
        }
        finally { File.Delete(temporary); }
        return $"TorchSharpKeepAlive: {output}: {methods} methods keep {references} references alive across native calls";
    }

    static bool IsRewritten(AssemblyDefinition assembly) => assembly.CustomAttributes.Any(a =>
        a.AttributeType.FullName == "System.Reflection.AssemblyMetadataAttribute" && a.ConstructorArguments.Count == 2
        && a.ConstructorArguments[0].Value as string == MarkerKey);

    static bool CallsNative(MethodDefinition method) =>
        method.Body.Instructions.Any(i => i.OpCode.FlowControl == FlowControl.Call && i.Operand is MethodDefinition { IsPInvokeImpl: true });

    /// <summary>
    /// An object made and used in one expression (<c>ord.ToScalar().Handle</c>) lives only on the evaluation stack: store
    /// it in a new local as well, so that it is kept alive with the method's other locals.
    /// </summary>
    static void HoldInlineTemporaries(MethodDefinition method)
    {
        var body = method.Body;
        var il = body.GetILProcessor();
        foreach (var handle in body.Instructions.Where(i => i.OpCode.FlowControl == FlowControl.Call && i.Operand is MethodReference { Name: "get_Handle", HasThis: true }
                     && i.Previous is { } made && (made.OpCode == OpCodes.Newobj || made.OpCode.FlowControl == FlowControl.Call)).ToList())
        {
            var temporary = new VariableDefinition(((MethodReference)handle.Operand).DeclaringType);
            body.Variables.Add(temporary);
            il.InsertBefore(handle, Instruction.Create(OpCodes.Dup));
            il.InsertBefore(handle, Instruction.Create(OpCodes.Stloc, temporary));
        }
    }

    /// <summary>How to load each reference the method holds: <c>this</c>, then arguments, then locals.</summary>
    static List<Func<Instruction>> Kept(MethodDefinition method)
    {
        var kept = new List<Func<Instruction>>();
        if (method.HasThis && !method.DeclaringType.IsValueType) kept.Add(() => Instruction.Create(OpCodes.Ldarg_0));
        foreach (var parameter in method.Parameters.Where(p => IsObjectReference(p.ParameterType)))
            kept.Add(() => Instruction.Create(OpCodes.Ldarg, parameter));
        foreach (var variable in method.Body.Variables.Where(v => !v.IsPinned && IsObjectReference(v.VariableType)))
            kept.Add(() => Instruction.Create(OpCodes.Ldloc, variable));
        return kept;
    }

    /// <summary>Whether a value of this type is a reference to a heap object (the only kind a finalizer can free).</summary>
    static bool IsObjectReference(TypeReference type)
    {
        while (type is IModifierType modified) type = modified.ElementType;
        if (type is ByReferenceType or PointerType or FunctionPointerType or PinnedType or SentinelType) return false;
        if (type is GenericParameter) return false; // unboxed T: none of TorchSharp's native callers holds a wrapper this way
        if (type is ArrayType) return true;
        if (type.MetadataType is MetadataType.String or MetadataType.Object) return true;
        if (type.IsPrimitive) return false;
        var definition = type.Resolve() ?? throw new InvalidOperationException($"cannot resolve type {type.FullName}");
        return !definition.IsValueType;
    }

    static void KeepUntilReturn(MethodDefinition method, List<Func<Instruction>> kept, MethodReference keepAlive)
    {
        var body = method.Body;
        body.SimplifyMacros();
        var il = body.GetILProcessor();
        foreach (var ret in body.Instructions.Where(i => i.OpCode == OpCodes.Ret).ToList())
        {
            if (ret.Previous?.OpCode == OpCodes.Tail) throw new InvalidOperationException($"{method.FullName}: tail call before return");
            // The ret instruction itself becomes the first load, so branches and handler ends that target it still land here.
            var sequence = kept.SelectMany(load => new[] { load(), Instruction.Create(OpCodes.Call, keepAlive) }).Append(Instruction.Create(OpCodes.Ret)).ToList();
            ret.OpCode = sequence[0].OpCode;
            ret.Operand = sequence[0].Operand;
            var last = ret;
            foreach (var instruction in sequence.Skip(1))
            {
                il.InsertAfter(last, instruction);
                last = instruction;
            }
        }
        body.OptimizeMacros();
    }
}
