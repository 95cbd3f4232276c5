# expect: E0203 5:3 expected money, found a percent
parameter share: percent = 35%

define payment: money =
  share * 2
