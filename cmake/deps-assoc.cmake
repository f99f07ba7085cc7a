# assoc: Eigen for the dense products, Boost.Math (headers) for distributions.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(Boost REQUIRED)
target_link_libraries(kohort_lib PUBLIC Eigen3::Eigen Boost::boost)
