#include "assoc/quantile_normalize.h"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <vector>

namespace kohort::assoc {

void quantile_normalize(Eigen::Ref<Eigen::VectorXd> values) {
  std::vector<Eigen::Index> order;
  for (Eigen::Index i = 0; i < values.size(); ++i)
    if (!std::isnan(values[i])) order.push_back(i);
  // Sorted by value, then by position: ties are grouped whatever the sort does with them.
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return values[a] < values[b] || (values[a] == values[b] && a < b); });
  const double n = static_cast<double>(order.size());
  const boost::math::normal standard;
  for (std::size_t first = 0; first < order.size();) {
    std::size_t last = first + 1;
    while (last < order.size() && values[order[last]] == values[order[first]]) ++last;
    // Ranks first + 1 .. last share their mean, (first + 1 + last) / 2.
    const double rank = 0.5 * static_cast<double>(first + 1 + last);
    const double z = boost::math::quantile(standard, (rank - 0.5) / n);
    for (std::size_t k = first; k < last; ++k) values[order[k]] = z;
    first = last;
  }
}

}  // namespace kohort::assoc
