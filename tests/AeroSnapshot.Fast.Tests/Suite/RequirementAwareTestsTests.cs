using System.Diagnostics;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AeroSnapshot.Fast.Tests.Suite;

/// <summary>
/// The suite stays green on a machine without the optional tools (issue 23): a test that reaches a
/// program, a privilege or a CPU feature the machine lacks is skipped with the reason, whether or not it
/// declared it, and nothing can opt out of that by accident.
/// </summary>
public sealed class RequirementAwareTestsTests
{
    [Fact]
    public void Every_test_of_this_suite_turns_a_missing_requirement_into_a_skip()
        => Assert.Empty(TestSuiteRules.TestsNotRequirementAware(typeof(RequirementAwareTestsTests).Assembly));

    [Fact]
    public void No_test_starts_a_process_except_through_ExternalCommand_where_a_missing_program_is_a_skip()
        => Assert.Empty(TestSuiteRules.ProcessStartsOutsideExternalCommand(Path.Join(TestSuiteRules.RepositoryRoot(), "tests")));

    [Fact]
    public async Task A_test_that_reaches_a_missing_requirement_is_reported_skipped_with_the_reason()
    {
        (RunSummary summary, List<IMessageSinkMessage> messages) = await Run(nameof(SampleTests.ReachesAMissingProgram));

        ITestSkipped skipped = Assert.Single(messages.OfType<ITestSkipped>());
        Assert.StartsWith("needs aerosnap-no-such-program (not found on PATH", skipped.Reason, StringComparison.Ordinal);
        Assert.Empty(messages.OfType<ITestFailed>());
        Assert.Equal((1, 0, 1), (summary.Total, summary.Failed, summary.Skipped));
    }

    [Fact]
    public async Task Any_other_failure_of_a_requirement_aware_test_stays_a_failure()
    {
        (RunSummary summary, List<IMessageSinkMessage> messages) = await Run(nameof(SampleTests.FailsOtherwise));

        Assert.Single(messages.OfType<ITestFailed>());
        Assert.Empty(messages.OfType<ITestSkipped>());
        Assert.Equal((1, 1, 0), (summary.Total, summary.Failed, summary.Skipped));
    }

    [Fact]
    public void In_CI_a_missing_program_or_privilege_fails_the_test_instead_of_skipping_it()
    {
        Assert.IsType<MissingRequirementException>(TestRequirements.MissingException("needs strace", required: false));
        Exception ci = TestRequirements.MissingException("needs strace", required: true);
        Assert.IsType<InvalidOperationException>(ci);
        Assert.Contains("AEROSNAP_REQUIRE_PRIVILEGED_TESTS=1", ci.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Starting_a_program_that_is_not_on_PATH_throws_the_requirement_not_the_runtime_error()
    {
        Exception thrown = Assert.ThrowsAny<Exception>(() => ExternalCommand.Start(new ProcessStartInfo("aerosnap-no-such-program")));
        Assert.IsType(TestRequirements.Required ? typeof(InvalidOperationException) : typeof(MissingRequirementException), thrown);
        Assert.Contains("needs aerosnap-no-such-program", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cpu_feature_the_machine_lacks_is_a_skip_even_in_CI()
        => Assert.Throws<MissingRequirementException>(() => TestRequirements.CpuFeature(available: false, "needs an instruction set no CPU has"));

    // Runs one method of SampleTests as the suites run every test: a RequirementAwareTestCase on a
    // message bus, which records what the runner would report.
    private static async Task<(RunSummary Summary, List<IMessageSinkMessage> Messages)> Run(string methodName)
    {
        var assembly = new TestAssembly(Reflector.Wrap(typeof(SampleTests).Assembly));
        var testClass = new TestClass(new TestCollection(assembly, null, "samples"), Reflector.Wrap(typeof(SampleTests)));
        var testMethod = new TestMethod(testClass, Reflector.Wrap(typeof(SampleTests).GetMethod(methodName)!));
        var sink = new NullMessageSink();
        var testCase = new RequirementAwareTestCase(sink, TestMethodDisplay.Method, TestMethodDisplayOptions.None, testMethod);
        var bus = new RecordingBus();
        using var cancellation = new CancellationTokenSource();
        RunSummary summary = await testCase.RunAsync(sink, bus, [], new ExceptionAggregator(), cancellation);
        return (summary, bus.Messages);
    }

    /// <summary>
    /// Tests run by hand above. xunit reads a test's attribute when it runs it, so they have one; the
    /// class is abstract, which xunit's discovery passes over, so the suite itself never runs them.
    /// </summary>
    public abstract class SampleTests
    {
        // What a fixture throws on a machine without the program when CI does not require it.
        [Fact]
        public static void ReachesAMissingProgram() => throw TestRequirements.MissingException("needs aerosnap-no-such-program (not found on PATH; .ci/run installs it)", required: false);

        [Fact]
        public static void FailsOtherwise() => throw new InvalidOperationException("an ordinary failure");
    }

    private sealed class RecordingBus : IMessageBus
    {
        public List<IMessageSinkMessage> Messages { get; } = [];

        public bool QueueMessage(IMessageSinkMessage message)
        {
            lock (Messages)
            {
                Messages.Add(message);
            }

            return true;
        }

        public void Dispose()
        {
        }
    }
}
