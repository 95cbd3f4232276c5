# expect: E0311 34:1 most of them in `step22` (called by `total`)
contract "Example"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  effective 2024-01-01 to 2024-12-31
end

measure COL "Colorectal cancer screening" higher is better

define step0(x: number): number = x
define step1(x: number): number = step0(x + 1) + step0(x + 2)
define step2(x: number): number = step1(x + 1) + step1(x + 2)
define step3(x: number): number = step2(x + 1) + step2(x + 2)
define step4(x: number): number = step3(x + 1) + step3(x + 2)
define step5(x: number): number = step4(x + 1) + step4(x + 2)
define step6(x: number): number = step5(x + 1) + step5(x + 2)
define step7(x: number): number = step6(x + 1) + step6(x + 2)
define step8(x: number): number = step7(x + 1) + step7(x + 2)
define step9(x: number): number = step8(x + 1) + step8(x + 2)
define step10(x: number): number = step9(x + 1) + step9(x + 2)
define step11(x: number): number = step10(x + 1) + step10(x + 2)
define step12(x: number): number = step11(x + 1) + step11(x + 2)
define step13(x: number): number = step12(x + 1) + step12(x + 2)
define step14(x: number): number = step13(x + 1) + step13(x + 2)
define step15(x: number): number = step14(x + 1) + step14(x + 2)
define step16(x: number): number = step15(x + 1) + step15(x + 2)
define step17(x: number): number = step16(x + 1) + step16(x + 2)
define step18(x: number): number = step17(x + 1) + step17(x + 2)
define step19(x: number): number = step18(x + 1) + step18(x + 2)
define step20(x: number): number = step19(x + 1) + step19(x + 2)
define step21(x: number): number = step20(x + 1) + step20(x + 2)
define step22(x: number): number = step21(x + 1) + step21(x + 2)

output total: number = step22(0) not rounded
