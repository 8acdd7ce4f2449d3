import DescentOptim
import DescentTraining
import Testing

@Suite("Optimizer recipes")
struct OptimizerRecipeTests {
  @Test func seedLineUpIsTheTutorials() {
    #expect(
      OptimizerRecipe.seedLineUp.map(\.label) == [
        "SGD", "Momentum", "Nesterov", "AdaGrad", "Adadelta", "RMSprop", "Adam",
      ])
    let nesterov = OptimizerRecipe.seedLineUp[2]
    #expect(nesterov.className == "SGD")
    #expect(nesterov.options["momentum"] == .number(0.9))
    #expect(nesterov.options["nesterov"] == .flag(true))
  }

  @Test func listWithLearningRates() throws {
    let recipes = try OptimizerRecipe.list("sgd=0.01, Momentum ,ADAM=5e-2,nadam")
    #expect(recipes.map(\.label) == ["SGD", "Momentum", "Adam", "NAdam"])
    #expect(recipes.map(\.lr) == [0.01, nil, 0.05, nil])
    #expect(recipes[2].legendText == "Adam (lr 0.05)")
    #expect(recipes[1].withDefaultLR(0.001).legendText == "Momentum (lr 0.001)")
    #expect(recipes[0].withDefaultLR(0.5).lr == 0.01)
  }

  @Test func badListsAreRejected() {
    #expect(throws: RecipeError.self) { try OptimizerRecipe.list("sgd,bogus") }
    #expect(throws: RecipeError.self) { try OptimizerRecipe.list("adam=nan") }
    #expect(throws: RecipeError.self) { try OptimizerRecipe.list("adam=-1") }
    #expect(throws: RecipeError.self) { try OptimizerRecipe.list("adam=inf") }
    #expect(throws: RecipeError.self) { try OptimizerRecipe.list("sgd,,adam") }
    #expect(throws: RecipeError.self) { try OptimizerRecipe.list("") }
    let unknown = RecipeError.unknownOptimizer("bogus", known: OptimizerRecipe.knownNames)
    #expect(throws: unknown) { try OptimizerRecipe.named("bogus") }
    #expect(unknown.description.contains("bogus") && unknown.description.contains("momentum"))
  }
}
