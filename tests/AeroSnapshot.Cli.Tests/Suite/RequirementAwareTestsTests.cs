namespace AeroSnapshot.Cli.Tests.Suite;

/// <summary>
/// This suite, too, skips a test that reaches what the machine lacks instead of failing it (the
/// mechanism's own tests are in AeroSnapshot.Fast.Tests, Suite/).
/// </summary>
public sealed class RequirementAwareTestsTests
{
    [Fact]
    public void Every_test_of_this_suite_turns_a_missing_requirement_into_a_skip()
        => Assert.Empty(TestSuiteRules.TestsNotRequirementAware(typeof(RequirementAwareTestsTests).Assembly));
}
